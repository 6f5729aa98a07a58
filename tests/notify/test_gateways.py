"""SMS gateways against a local HTTP server that re-computes the providers' signatures.

The verifier below is written from the providers' public documentation, independently of
dangjian.notify.sms: Aliyun RPC signature v1 (HMAC-SHA1) and Tencent Cloud TC3-HMAC-SHA256.
Nothing here contacts the internet: every endpoint is http://127.0.0.1:<port>/.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
from django.core import mail
from django.test import override_settings

from dangjian.notify import delivery, sms

ALIYUN_ID, ALIYUN_SECRET = "LTAI-test-id", "aliyun-test-secret"
TENCENT_ID, TENCENT_SECRET, TENCENT_APP = "AKID-test-id", "tencent-test-secret", "1400000001"
UNRESERVED = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"


# -- the independent verifier ----------------------------------------------------------------

def pct(text: str) -> str:
    return "".join(chr(b) if b in UNRESERVED else f"%{b:02X}" for b in text.encode("utf-8"))


def aliyun_expected(params: dict[str, str], secret: str, method: str = "GET") -> str:
    canonical = "&".join(f"{pct(k)}={pct(v)}" for k, v in sorted(params.items()))
    to_sign = f"{method}&{pct('/')}&{pct(canonical)}"
    return base64.b64encode(hmac.new((secret + "&").encode(), to_sign.encode(), hashlib.sha1).digest()).decode()


def tencent_expected(*, secret: str, headers, signed_headers: str, body: bytes, timestamp: int, service: str) -> str:
    canonical_headers = "".join(f"{h}:{headers[h].strip().lower()}\n" for h in signed_headers.split(";"))
    canonical = f"POST\n/\n\n{canonical_headers}\n{signed_headers}\n{hashlib.sha256(body).hexdigest()}"
    date = dt.datetime.fromtimestamp(timestamp, dt.UTC).date().isoformat()
    to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{date}/{service}/tc3_request\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    key = ("TC3" + secret).encode()
    for part in (date, service, "tc3_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


class Provider(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output quiet
        pass

    def _answer(self, status: int, obj: dict) -> None:
        raw = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_GET(self):  # Aliyun RPC
        srv = self.server
        query = urllib.parse.urlsplit(self.path).query
        params = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        got = params.pop("Signature", "")
        required = {"AccessKeyId", "Action", "Format", "OutId", "PhoneNumbers", "RegionId", "SignName", "SignatureMethod",
                    "SignatureNonce", "SignatureVersion", "TemplateCode", "TemplateParam", "Timestamp", "Version"}
        ok = (
            required <= set(params) and params["SignatureMethod"] == "HMAC-SHA1" and params["SignatureVersion"] == "1.0"
            and params["Action"] == "SendSms" and params["Version"] == "2017-05-25"
            and params["SignatureNonce"] not in srv.nonces
            and dt.datetime.strptime(params["Timestamp"], "%Y-%m-%dT%H:%M:%SZ")
            and hmac.compare_digest(got, aliyun_expected(params, ALIYUN_SECRET))
        )
        srv.nonces.add(params.get("SignatureNonce"))
        srv.requests.append(params)
        if not ok:
            return self._answer(400, {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched."})
        if srv.fail:
            return self._answer(200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控"})
        return self._answer(200, {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "r1"})

    def do_POST(self):  # Tencent TC3
        srv = self.server
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        auth = self.headers.get("Authorization", "")
        srv.requests.append({"headers": {k.lower(): v for k, v in self.headers.items()}, "body": json.loads(body or b"{}")})
        try:
            algo, rest = auth.split(" ", 1)
            fields = dict(p.strip().split("=", 1) for p in rest.split(","))
            key_id, date, service, term = fields["Credential"].split("/")
            ts = int(self.headers["X-TC-Timestamp"])
            headers = {k.lower(): v for k, v in self.headers.items()}
            ok = (
                algo == "TC3-HMAC-SHA256" and key_id == TENCENT_ID and service == "sms" and term == "tc3_request"
                and date == dt.datetime.fromtimestamp(ts, dt.UTC).date().isoformat()
                and {"content-type", "host"} <= set(fields["SignedHeaders"].split(";"))
                and headers["x-tc-action"] == "SendSms" and headers["x-tc-version"] == "2021-01-11" and headers.get("x-tc-region")
                and hmac.compare_digest(fields["Signature"], tencent_expected(
                    secret=TENCENT_SECRET, headers=headers, signed_headers=fields["SignedHeaders"], body=body, timestamp=ts, service="sms"))
            )
        except (KeyError, ValueError):
            ok = False
        if not ok:
            return self._answer(200, {"Response": {"Error": {"Code": "AuthFailure.SignatureFailure", "Message": "signature mismatch"},
                                                   "RequestId": "r2"}})
        req = json.loads(body)
        code = "LimitExceeded.PhoneNumberDailyLimit" if srv.fail else "Ok"
        return self._answer(200, {"Response": {"SendStatusSet": [{
            "SerialNo": "5000:1045710669157053657849499619", "PhoneNumber": req["PhoneNumberSet"][0], "Fee": 1,
            "SessionContext": req.get("SessionContext", ""), "Code": code, "Message": "send success" if code == "Ok" else "over limit",
            "IsoCode": "CN"}], "RequestId": "r3"}})


@pytest.fixture
def provider():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Provider)
    srv.requests, srv.nonces, srv.fail = [], set(), False
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    srv.url = f"http://127.0.0.1:{srv.server_address[1]}/"
    yield srv
    srv.shutdown()
    srv.server_close()


def sms_conf(backend: str, url: str, *, aliyun_secret=ALIYUN_SECRET, tencent_secret=TENCENT_SECRET, templates=None):
    return {
        "backend": backend, "sign_name": "智慧党建", "timeout": 5,
        "templates": templates if templates is not None else {"*": "SMS_000001", "test.reminder": "SMS_123456"},
        "aliyun": {"access_key_id": ALIYUN_ID, "access_key_secret": aliyun_secret, "endpoint": url},
        "tencent": {"secret_id": TENCENT_ID, "secret_key": tencent_secret, "sdk_app_id": TENCENT_APP, "endpoint": url},
    }


PHONE = "13912345678"


# -- published test vectors -------------------------------------------------------------------

def test_aliyun_signature_matches_the_documented_example():
    params = {"AccessKeyId": "testid", "Action": "DescribeRegions", "Format": "XML", "SignatureMethod": "HMAC-SHA1",
              "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf", "SignatureVersion": "1.0",
              "Timestamp": "2016-02-23T12:46:24Z", "Version": "2014-05-26"}
    assert sms.aliyun_string_to_sign(params) == (
        "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1"
        "%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0"
        "%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26")
    assert sms.aliyun_signature(params, "testsecret") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="
    assert aliyun_expected(params, "testsecret") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="  # the verifier agrees


def test_aliyun_percent_encoding_rules():
    assert sms.aliyun_percent_encode("a b*c~d+e/中") == "a%20b%2Ac~d%2Be%2F%E4%B8%AD"
    assert sms.aliyun_percent_encode("a b*c~d+e/中") == pct("a b*c~d+e/中")


def test_tencent_tc3_signature_matches_the_documented_example():
    payload = b'{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}'
    canonical, signed = sms.tc3_canonical_request(host="cvm.tencentcloudapi.com", content_type="application/json; charset=utf-8",
                                                  payload=payload, action=None)
    assert signed == "content-type;host"
    assert hashlib.sha256(payload).hexdigest() == "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
    assert hashlib.sha256(canonical.encode()).hexdigest() == "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
    sig = sms.tc3_signature(secret_key="Gu5t9xGARNpq86cd98joQYCN3*******", service="cvm", timestamp=1551113065, canonical_request=canonical)
    assert sig == "2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c"


# -- against the local verifier ----------------------------------------------------------------

def test_aliyun_request_is_accepted_by_the_verifier(provider):
    gw = sms.AliyunSmsGateway(sms_conf("aliyun", provider.url))
    biz = gw.send(phone=PHONE, text="会议提醒：支部党员大会", kind="test.reminder",
                  params={"meeting": "支部党员大会 & 学习", "name": "李书记"}, ref="4242")
    assert biz == "900619746936498440^0"
    req = provider.requests[-1]
    assert req["OutId"] == "4242" and req["PhoneNumbers"] == PHONE and req["TemplateCode"] == "SMS_123456"
    assert req["SignName"] == "智慧党建"
    assert json.loads(req["TemplateParam"]) == {"meeting": "支部党员大会 & 学习", "name": "李书记"}


def test_aliyun_fallback_template_carries_the_text(provider):
    gw = sms.AliyunSmsGateway(sms_conf("aliyun", provider.url))
    gw.send(phone=PHONE, text="通知：明天开会", kind="notice", params={"title": "通知", "text": "明天开会"}, ref="1")
    req = provider.requests[-1]
    assert req["TemplateCode"] == "SMS_000001" and json.loads(req["TemplateParam"]) == {"content": "通知：明天开会"}


def test_aliyun_wrong_secret_is_rejected_and_raises(provider):
    gw = sms.AliyunSmsGateway(sms_conf("aliyun", provider.url, aliyun_secret="tampered"))
    with pytest.raises(sms.SmsError, match="SignatureDoesNotMatch") as exc:
        gw.send(phone=PHONE, text="x", kind="notice", params={}, ref="1")
    assert PHONE not in str(exc.value)


def test_aliyun_provider_error_code_raises(provider):
    provider.fail = True
    gw = sms.AliyunSmsGateway(sms_conf("aliyun", provider.url))
    with pytest.raises(sms.SmsError, match="BUSINESS_LIMIT_CONTROL"):
        gw.send(phone=PHONE, text="x", kind="notice", params={}, ref="1")


def test_tencent_request_is_accepted_by_the_verifier(provider):
    gw = sms.TencentSmsGateway(sms_conf("tencent", provider.url))
    serial = gw.send(phone=PHONE, text="x", kind="test.reminder", params={"meeting": "支部党员大会", "name": "李书记"}, ref="777")
    assert serial.startswith("5000:")
    req = provider.requests[-1]
    assert req["body"]["SessionContext"] == "777" and req["body"]["PhoneNumberSet"] == ["+86" + PHONE]
    assert req["body"]["TemplateId"] == "SMS_123456" and req["body"]["TemplateParamSet"] == ["支部党员大会", "李书记"]
    assert req["body"]["SmsSdkAppId"] == TENCENT_APP and req["headers"]["x-tc-action"] == "SendSms"
    assert "SignedHeaders=content-type;host;x-tc-action" in req["headers"]["authorization"]


def test_tencent_wrong_secret_is_rejected_and_raises(provider):
    gw = sms.TencentSmsGateway(sms_conf("tencent", provider.url, tencent_secret="tampered"))
    with pytest.raises(sms.SmsError, match="AuthFailure.SignatureFailure") as exc:
        gw.send(phone=PHONE, text="x", kind="notice", params={}, ref="1")
    assert PHONE not in str(exc.value)


def test_tencent_send_status_error_raises(provider):
    provider.fail = True
    gw = sms.TencentSmsGateway(sms_conf("tencent", provider.url))
    with pytest.raises(sms.SmsError, match="LimitExceeded"):
        gw.send(phone=PHONE, text="x", kind="notice", params={}, ref="1")


def test_unreachable_provider_raises_without_the_number():
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    gw = sms.AliyunSmsGateway(sms_conf("aliyun", f"http://127.0.0.1:{port}/"))
    with pytest.raises(sms.SmsError, match="unreachable") as exc:
        gw.send(phone=PHONE, text="x", kind="notice", params={}, ref="1")
    assert PHONE not in str(exc.value)


def test_missing_credentials_and_templates_are_clear_errors(provider):
    with pytest.raises(sms.SmsError, match="access_key_secret"):
        sms.AliyunSmsGateway({"backend": "aliyun", "sign_name": "x", "aliyun": {"access_key_id": "a"}})
    with pytest.raises(sms.SmsError, match="sdk_app_id"):
        sms.TencentSmsGateway({"backend": "tencent", "sign_name": "x", "tencent": {"secret_id": "a", "secret_key": "b"}})
    gw = sms.AliyunSmsGateway(sms_conf("aliyun", provider.url, templates={}))
    with pytest.raises(sms.SmsError, match="no SMS template"):
        gw.send(phone=PHONE, text="x", kind="notice", params={}, ref="1")
    with override_settings(DANGJIAN_SMS={"backend": "carrier-pigeon"}), pytest.raises(sms.SmsError, match="unknown SMS backend"):
        sms.gateway()


def test_non_http_endpoint_is_refused():
    gw = sms.AliyunSmsGateway(sms_conf("aliyun", "file:///etc/passwd"))
    with pytest.raises(sms.SmsError, match="http"):
        gw.send(phone=PHONE, text="x", kind="notice", params={}, ref="1")


# -- the outbox deliverers ---------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("backend", ["aliyun", "tencent"])
def test_deliver_sms_reads_the_encrypted_phone_at_delivery_time(world, provider, backend):
    m = world.m_member
    msg = SimpleNamespace(id=31337, to=f"member:{m.pk}", payload={"kind": "notice", "text": "通知：明天开会", "params": {}})
    with override_settings(DANGJIAN_SMS=sms_conf(backend, provider.url)):
        delivery.deliver_sms(msg)
    req = provider.requests[-1]
    if backend == "aliyun":
        assert req["PhoneNumbers"] == m.phone and req["OutId"] == "31337"
    else:
        assert req["body"]["PhoneNumberSet"] == ["+86" + m.phone] and req["body"]["SessionContext"] == "31337"


@pytest.mark.django_db
def test_deliver_sms_without_a_phone_raises(world):
    with pytest.raises(delivery.NoAddress):
        delivery.deliver_sms(SimpleNamespace(id=1, to=f"user:{world.users['outsider'].pk}", payload={}))
    with pytest.raises(delivery.NoAddress):
        delivery.deliver_sms(SimpleNamespace(id=1, to="13912345678", payload={}))


@pytest.mark.django_db
def test_console_gateway_logs_the_number_masked(world, caplog):
    m = world.m_member
    with caplog.at_level(logging.INFO, logger="dangjian.notify.sms"):
        delivery.deliver_sms(SimpleNamespace(id=5, to=f"member:{m.pk}", payload={"kind": "notice", "text": "你好", "params": {}}))
    assert m.phone[:3] + "****" + m.phone[-4:] in caplog.text
    assert m.phone not in caplog.text


@pytest.mark.django_db
def test_deliver_email_uses_the_django_backend():
    delivery.deliver_email(SimpleNamespace(id=9, to="a@example.org", payload={"subject": "通知", "text": "明天开会", "link": "/inbox/"}))
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.subject == "通知" and sent.to == ["a@example.org"] and "/inbox/" in sent.body
    assert sent.extra_headers["X-Dangjian-Outbox-Id"] == "9"
    with pytest.raises(delivery.NoAddress):
        delivery.deliver_email(SimpleNamespace(id=9, to="", payload={}))


def test_channels_are_registered_with_the_outbox():
    from dangjian.jobs.api import CHANNELS

    assert CHANNELS["sms"] is delivery.deliver_sms and CHANNELS["email"] is delivery.deliver_email
