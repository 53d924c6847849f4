"""Contract: the secret forms the real services hand out, as their documentation and client libraries show them,
never survive redact() (issue #12.5).

Sources:
- NMI's demo security key "6457Thfj624V5r7WUwc5v6a68Zsd6YEm" and the Direct Post form fields (security_key,
  ccnumber, cvv, checkaba, checkaccount): NMI integration portal, quoted in the README of
  dreamingrainbow/NMI-DirectPay-GWAPI (gw.setLogin("6457Thfj…")) and docs.payshield.ai/transaction-processing/
  emulators/nmi-api.
- Intuit refresh tokens: "AB11" + a 10-digit issue time + 36 letters and digits, 50 characters, as passed to
  intuit-oauth's refreshUsingToken() in herrand15/Backend-Express tokenRefresh.js (the value below is made up in
  that form, not copied).
- Intuit access tokens are JWE/JWT compact serialisations starting "eyJ" (developer.intuit.com, OAuth 2.0).
"""

from __future__ import annotations

import pytest

from payapp.domain.redaction import redact

NMI_DEMO_KEY = "6457Thfj624V5r7WUwc5v6a68Zsd6YEm"
INTUIT_REFRESH = "AB11765432109q7WzR2mKd9XyT4bN8vL1cF6hJ3pS0gQeUaYix"
INTUIT_ACCESS = ("eyJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiZGlyIn0..Qx7pR2mZ_kd9W-4bN8vL1c.F6hJ3pS0gQeUaYi7WzR2mKd9X"
                 "yT4bN8vL1cF6hJ3pS0gQeUaYi7WzR2mKd9XyT4bN8.vL1cF6hJ3pS0gQeUaYi7Wz")


def test_the_forms_have_the_documented_shape() -> None:
    assert len(INTUIT_REFRESH) == 50 and INTUIT_REFRESH.startswith("AB11") and INTUIT_REFRESH.isalnum()


@pytest.mark.parametrize("line", [
    f"POST /api/transact.php security_key={NMI_DEMO_KEY}&type=sale&ccnumber=4111111111111111&cvv=999&amount=1.00",
    f"checkaba=490000018&checkaccount=24413815&security_key={NMI_DEMO_KEY}",
    f"gw.setLogin({NMI_DEMO_KEY!r})",
    f"refreshUsingToken({INTUIT_REFRESH!r})",
    f'{{"refresh_token":"{INTUIT_REFRESH}","access_token":"{INTUIT_ACCESS}","x_refresh_token_expires_in":8726400}}',
    f"Authorization: Bearer {INTUIT_ACCESS}",
    f"token {INTUIT_ACCESS} expired",
])
def test_recorded_secret_forms_are_masked(line: str) -> None:
    out = redact(line)
    for secret in (NMI_DEMO_KEY, INTUIT_REFRESH, INTUIT_ACCESS, "4111111111111111", "24413815", "490000018"):
        assert secret not in out
    assert "cvv=999" not in out
    assert "8726400" in out or "x_refresh_token_expires_in" not in line     # the lifetime is no secret
