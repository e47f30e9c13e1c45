"""Re-export of the link states (they moved to :mod:`drivers.pei.state`, beside the session)."""

from drivers.pei.state import GatewayIdentity, InitWarning, LinkState, LinkStateChanged

__all__ = ["GatewayIdentity", "InitWarning", "LinkState", "LinkStateChanged"]
