"""The NMI parsers are total: any text gives a value (or, for query.php, NmiQueryError: PayApp's own error),
never AttributeError/KeyError/TypeError/ValueError."""

from __future__ import annotations

import contextlib
from urllib.parse import urlencode

from hypothesis import given, settings
from hypothesis import strategies as st

from payapp.connectors.gateways.nmi import NmiQueryError, NmiResponse, parse_query, parse_response, parse_vault_report

FIELDS = ("response", "responsetext", "authcode", "transactionid", "orderid", "response_code", "type",
          "customer_vault_id", "avsresponse", "cvvresponse")


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_parse_response_of_any_text(body: str) -> None:
    r = parse_response(body)
    assert isinstance(r, NmiResponse) and r.outcome in ("approved", "declined", "error", "unknown")
    assert isinstance(r.duplicate, bool) and isinstance(r.rate_limited, bool)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(FIELDS), st.one_of(st.sampled_from(["1", "2", "3", "100", "301", "430",
                                                                          "Duplicate transaction REFID:1", ""]),
                                                         st.text())))
def test_parse_response_of_any_fields(values: dict[str, str]) -> None:
    r = parse_response(urlencode(values))
    assert r.outcome in ("approved", "declined", "error", "unknown")
    if values.get("response") == "1":
        assert r.outcome == "approved"
    elif values.get("response") not in ("2", "3"):
        assert r.outcome == "unknown"


def _query_or_error(xml: str) -> None:
    """Only NmiQueryError may come out (any other exception fails the test)."""
    with contextlib.suppress(NmiQueryError):
        parse_query(xml)
    with contextlib.suppress(NmiQueryError):
        parse_vault_report(xml)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_query_parsers_of_any_text(xml: str) -> None:
    _query_or_error(xml)


TAGS = st.sampled_from(["nm_response", "transaction", "action", "transaction_id", "order_id", "amount", "date",
                        "success", "action_type", "error_response", "customer_vault", "customer", "condition"])


@st.composite
def xmlish(draw: st.DrawFn, depth: int = 0) -> str:
    tag = draw(TAGS) if depth else "nm_response"
    attrs = ' id="x"' if draw(st.booleans()) else ""
    if depth >= 3:
        inner = draw(st.text(alphabet=st.characters(blacklist_characters="<&"), max_size=10))
    else:
        inner = "".join(draw(st.lists(xmlish(depth + 1), max_size=3)))
    return f"<{tag}{attrs}>{inner}</{tag}>"


@settings(max_examples=300, deadline=None)
@given(xmlish())
def test_query_parsers_of_any_nm_response_shape(xml: str) -> None:
    _query_or_error(xml)
