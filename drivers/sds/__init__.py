"""Sans-I/O SDS payload codecs (TETRA SDS type 4 / SDS-TL, status, LIP).

Bytes in, typed values out; no I/O and no clock.  Decoders raise only
:class:`drivers.errors.SdsDecodeError`; encoders raise only
:class:`drivers.errors.SdsEncodeError`.  Text is returned exactly as sent (control
characters included); sanitising it for display is the UI's job.

Modules: :mod:`.codes` (PIDs, delivery status), :mod:`.text` (codings, timestamp),
:mod:`.tl` (SDS-TL header, reports), :mod:`.messages` (text SDUs), :mod:`.concat`
(split/reassemble), :mod:`.status`, :mod:`.lip`, :mod:`.decode` (entry point).
"""

from drivers.sds.codes import (
    DeliveryStatus,
    Pid,
    ReportRequest,
    delivery_status_texts,
    describe_delivery_status,
    describe_delivery_status_zh,
    is_delivered,
    is_end_to_end_control,
    is_failure,
    is_flow_control,
    is_temporary,
)
from drivers.sds.concat import ConcatReassembler, IncompleteMessage, split_text
from drivers.sds.decode import AI_SDS_TL, AI_STATUS, decode_sds, payload_from_hex, pdu_bits
from drivers.sds.lip import LIP_SHORT_BITS, decode_velocity, encode_lip_short, encode_velocity
from drivers.sds.messages import MAX_PDU_BITS, encode_text
from drivers.sds.pdus import (
    ConcatPart,
    LocationReport,
    SdsAck,
    SdsPdu,
    SdsReport,
    ShortReport,
    StatusMessage,
    StoreForward,
    TextMessage,
    UnknownPdu,
)
from drivers.sds.status import EMERGENCY_STATUS, encode_status
from drivers.sds.text import SdsTimestamp, TextCoding, choose_coding
from drivers.sds.tl import encode_ack, encode_report, encode_short_report

__all__ = [
    "AI_SDS_TL",
    "AI_STATUS",
    "EMERGENCY_STATUS",
    "LIP_SHORT_BITS",
    "MAX_PDU_BITS",
    "ConcatPart",
    "ConcatReassembler",
    "DeliveryStatus",
    "IncompleteMessage",
    "LocationReport",
    "Pid",
    "ReportRequest",
    "SdsAck",
    "SdsPdu",
    "SdsReport",
    "SdsTimestamp",
    "ShortReport",
    "StatusMessage",
    "StoreForward",
    "TextCoding",
    "TextMessage",
    "UnknownPdu",
    "choose_coding",
    "decode_sds",
    "decode_velocity",
    "delivery_status_texts",
    "describe_delivery_status",
    "describe_delivery_status_zh",
    "encode_ack",
    "encode_lip_short",
    "encode_report",
    "encode_short_report",
    "encode_status",
    "encode_text",
    "encode_velocity",
    "is_delivered",
    "is_end_to_end_control",
    "is_failure",
    "is_flow_control",
    "is_temporary",
    "payload_from_hex",
    "pdu_bits",
    "split_text",
]
