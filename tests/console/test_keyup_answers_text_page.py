"""A unit that keys up on a talkgroup a text page went to has answered (issue 14).

Radios that keyed up on the page's group were counted silent before: only a voice page's
own call counted.  Counted at the radio: the key-up is in its record, the ladder has the
acknowledgement from the voice source.
"""

from __future__ import annotations

from pathlib import Path

from console.paging.model import PageRequest, Recipient, Rung, Source
from fakes.behaviour import Behaviour
from tests.factories import OpenFaultRig

GSSI = 9011
UNITS = (2001, 2002)


async def test_a_key_up_on_the_paged_talkgroup_acknowledges_a_text_page(
    tmp_path: Path, open_fault_rig: OpenFaultRig
) -> None:
    units = [{"issi": i, "alias": f"单元{i}", "kind": "school"} for i in UNITS]
    frig = await open_fault_rig(
        tmp_path / "k.db",
        seed=3,
        issis=UNITS,
        units=units,
        groups=[{"gssi": GSSI, "name": "学校组", "members": list(UNITS)}],
        behaviours={i: Behaviour.never() for i in UNITS},
    )
    page_id = frig.engine.page(
        PageRequest(
            recipients=tuple(Recipient(i, via="学校组", via_gssi=GSSI) for i in UNITS),
            talkgroups=(GSSI,),
            text="集合，收到请回复",
        )
    )
    page = frig.engine.pages[page_id]
    await frig.run(5.0)
    frig.rig.sim.network.radio(2001).key_up(GSSI, 2.0)
    assert await frig.clock.run_until(
        lambda: page.responders[2001].reached(Rung.ACKNOWLEDGED), limit=10, step=0.1
    )
    ack = next(r for r in page.responders[2001].rungs if r.rung is Rung.ACKNOWLEDGED)
    assert ack.source is Source.VOICE
    assert not page.responders[2002].reached(Rung.ACKNOWLEDGED)
    assert [t.kind for t in frig.rig.sim.network.radio(2001).transmitted][-1] == "key_up"
