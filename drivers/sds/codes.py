"""Protocol identifiers, report requests and SDS-TL delivery status codes.

Sources: reference ``pei-protocol.md`` §5.1 (PIDs) and §5.2 (delivery status, TS 100 392-2
table 29.16 as transcribed by ftl/tetra-pei).  The Chinese texts are for the duty officer's
acknowledgement ladder; they are translations, not quotations of a Chinese standard.
"""

from __future__ import annotations

from enum import IntEnum

__all__ = [
    "DeliveryStatus",
    "Pid",
    "ReportRequest",
    "delivery_status_texts",
    "describe_delivery_status",
    "describe_delivery_status_zh",
    "is_delivered",
    "is_end_to_end_control",
    "is_failure",
    "is_flow_control",
    "is_temporary",
]


class Pid(IntEnum):
    """SDS type-4 protocol identifier (first byte).  PIDs >= 0x80 carry an SDS-TL header."""

    SIMPLE_TEXT = 0x02
    SIMPLE_LOCATION = 0x03
    SIMPLE_IMMEDIATE_TEXT = 0x09
    LIP = 0x0A
    SIMPLE_CONCAT = 0x0C
    TEXT = 0x82
    COMPLEX_GPS = 0x83
    IMMEDIATE_TEXT = 0x89
    TEXT_UDH = 0x8A
    CONCAT = 0x8C


class ReportRequest(IntEnum):
    """Delivery report request of an SDS-TRANSFER (flags byte, bits 3-2)."""

    NONE = 0
    RECEIVED = 1
    CONSUMED = 2
    BOTH = 3


class DeliveryStatus(IntEnum):
    """SDS-TL delivery status (TS 100 392-2 table 29.16, via ftl/tetra-pei)."""

    # 000xxxxx: success
    RECEIVED = 0x00
    RECEIPT_REPORT_ACK = 0x01
    CONSUMED = 0x02
    CONSUMED_REPORT_ACK = 0x03
    FORWARDED = 0x04
    SENT_TO_GROUP = 0x05
    CONCAT_PART_RECEIVED = 0x06
    # 001xxxxx: temporary error, the SwMI keeps trying
    CONGESTION = 0x20
    STORED = 0x21
    NOT_REACHABLE_STORED = 0x22
    # 010xxxxx: data transfer failed
    NETWORK_OVERLOAD = 0x40
    SERVICE_NOT_AVAILABLE = 0x41
    SERVICE_TEMPORARILY_NOT_AVAILABLE = 0x42
    SOURCE_NOT_AUTHORISED = 0x43
    DESTINATION_NOT_AUTHORISED = 0x44
    UNKNOWN_GATEWAY_ADDRESS = 0x45
    UNKNOWN_FORWARD_ADDRESS = 0x46
    GROUP_ADDRESS_WITH_INDIVIDUAL_SERVICE = 0x47
    VALIDITY_EXPIRED_NOT_RECEIVED = 0x48
    VALIDITY_EXPIRED_NOT_CONSUMED = 0x49
    DELIVERY_FAILED = 0x4A
    NOT_REGISTERED = 0x4B
    DESTINATION_QUEUE_FULL = 0x4C
    TOO_LONG = 0x4D
    NO_SDS_TL = 0x4E
    HOST_NOT_CONNECTED = 0x4F
    PROTOCOL_NOT_SUPPORTED = 0x50
    CODING_NOT_SUPPORTED = 0x51
    MEMORY_FULL_DISCARDED = 0x52
    NOT_ACCEPTING_SDS = 0x53
    CONCAT_TOO_LONG = 0x54
    ADDRESS_PROHIBITED = 0x56
    CANNOT_ROUTE_EXTERNAL = 0x57
    UNKNOWN_EXTERNAL_NUMBER = 0x58
    NEGATIVE_REPORT_ACK = 0x59
    NOT_REACHABLE = 0x5A
    TEXT_DISTRIBUTION_ERROR = 0x5B
    CORRUPT_INFORMATION_ELEMENT = 0x5C
    NOT_ALL_PARTS_RECEIVED = 0x5D
    ENGAGED_BY_SWMI = 0x5E
    ENGAGED_BY_DESTINATION = 0x5F
    # 011xxxxx: flow control
    MEMORY_FULL = 0x60
    MEMORY_AVAILABLE = 0x61
    START_PENDING = 0x62
    NO_PENDING = 0x63
    # 100xxxxx: end-to-end control
    STOP_SENDING = 0x80
    START_SENDING = 0x81


_TEXTS: dict[int, tuple[str, str]] = {
    0x00: ("received by the destination", "对方已收到"),
    0x01: ("receipt report acknowledged", "收到回执已确认"),
    0x02: ("read (consumed) by the destination", "对方已阅读"),
    0x03: ("consumed report acknowledged", "阅读回执已确认"),
    0x04: ("forwarded to an external network", "已转发至外部网络"),
    0x05: ("sent to the group, acknowledgement presented", "已发送至通话组"),
    0x06: ("concatenated part received", "分段已收到"),
    0x20: ("network congestion, will retry", "网络拥塞，稍后重试"),
    0x21: ("stored by the network", "网络已存储"),
    0x22: ("destination not reachable, message stored", "对方不可达，消息已存储"),
    0x40: ("network overload", "网络过载"),
    0x41: ("service permanently not available", "业务永久不可用"),
    0x42: ("service temporarily not available", "业务暂时不可用"),
    0x43: ("sender not authorised for SDS", "发送方无短数据权限"),
    0x44: ("destination not authorised for SDS", "接收方无短数据权限"),
    0x45: ("unknown destination, gateway or service centre address", "未知目的/网关/服务中心地址"),
    0x46: ("unknown forward address", "未知转发地址"),
    0x47: ("group address used with individual service", "组地址不能用于个呼业务"),
    0x48: ("validity period expired, message not received", "有效期已过，对方未收到"),
    0x49: ("validity period expired, message not read", "有效期已过，对方未阅读"),
    0x4A: ("delivery failed", "投递失败"),
    0x4B: ("destination not registered on the system", "对方未登记入网"),
    0x4C: ("destination queue full", "对方队列已满"),
    0x4D: ("message too long", "消息过长"),
    0x4E: ("destination does not support SDS-TL", "对方不支持SDS-TL"),
    0x4F: ("destination host not connected", "对方主机未连接"),
    0x50: ("protocol not supported by the destination", "对方不支持该协议"),
    0x51: ("text coding not supported by the destination", "对方不支持该文字编码"),
    0x52: ("destination memory full, message discarded", "对方存储已满，消息被丢弃"),
    0x53: ("destination not accepting SDS", "对方拒收短数据"),
    0x54: ("concatenated message too long", "分段消息过长"),
    0x56: ("destination address prohibited", "目的地址被禁止"),
    0x57: ("cannot route to external network", "无法路由至外部网络"),
    0x58: ("unknown external subscriber number", "未知外部用户号码"),
    0x59: ("negative report acknowledgement", "回执确认被拒绝"),
    0x5A: ("destination not reachable", "对方不可达"),
    0x5B: ("text distribution error", "文本分发错误"),
    0x5C: ("corrupt information element", "信息单元损坏"),
    0x5D: ("not all concatenated parts received", "分段未全部收到"),
    0x5E: ("destination busy in another service (network)", "对方正忙（网络判定）"),
    0x5F: ("destination busy in another service (radio)", "对方正忙（终端判定）"),
    0x60: ("destination memory full", "对方存储已满"),
    0x61: ("destination memory available again", "对方存储已恢复"),
    0x62: ("start sending pending messages", "开始发送待发消息"),
    0x63: ("no pending messages", "无待发消息"),
    0x80: ("stop sending", "停止发送"),
    0x81: ("start sending", "开始发送"),
}

_CLASSES: tuple[tuple[int, int, str, str], ...] = (
    (0x00, 0x1F, "success", "成功"),
    (0x20, 0x3F, "temporary error", "暂时性错误"),
    (0x40, 0x5F, "delivery failed", "投递失败"),
    (0x60, 0x7F, "flow control", "流量控制"),
    (0x80, 0x9F, "end-to-end control", "端到端控制"),
)


def delivery_status_texts(value: int) -> tuple[str, str]:
    """Return ``(english, chinese)`` for a delivery status; unknown codes name their class.

    Never raises: a radio can send reserved codes and the log line must still be written.
    """
    if value in _TEXTS:
        return _TEXTS[value]
    for low, high, en, zh in _CLASSES:
        if low <= value <= high:
            return (f"{en} (code 0x{value & 0xFF:02X})", f"{zh}（代码0x{value & 0xFF:02X}）")
    return (f"unknown delivery status 0x{value:02X}", f"未知投递状态0x{value:02X}")


def describe_delivery_status(value: int) -> str:
    """English description of an SDS-TL delivery status."""
    return delivery_status_texts(value)[0]


def describe_delivery_status_zh(value: int) -> str:
    """zh-CN description of an SDS-TL delivery status."""
    return delivery_status_texts(value)[1]


def is_delivered(value: int) -> bool:
    """True for the defined success codes 0x00-0x06 (received, consumed, forwarded, ...).

    Reserved codes 0x07-0x1F are deliberately *not* counted: an acknowledgement rung must
    never claim delivery on a code nobody defined.
    """
    return 0x00 <= value <= 0x06


def is_failure(value: int) -> bool:
    """True when the message was definitely not delivered (class 010xxxxx, 0x40-0x5F)."""
    return 0x40 <= value <= 0x5F


def is_temporary(value: int) -> bool:
    """True for class 001xxxxx (0x20-0x3F): congestion or stored; the SwMI keeps trying."""
    return 0x20 <= value <= 0x3F


def is_flow_control(value: int) -> bool:
    """True for class 011xxxxx (0x60-0x7F): the destination asks to pause or resume."""
    return 0x60 <= value <= 0x7F


def is_end_to_end_control(value: int) -> bool:
    """True for class 100xxxxx (0x80-0x9F): stop/start sending."""
    return 0x80 <= value <= 0x9F
