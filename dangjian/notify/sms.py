"""SMS gateways behind one interface (issue 3): console (default), Aliyun SMS, Tencent Cloud SMS.

``gateway().send(phone=..., text=..., kind=..., params=..., ref=...)`` delivers one message or
raises :class:`SmsError` (the outbox then retries with backoff). ``ref`` is the outbox row id,
passed to the provider as its de-duplication / correlation field (Aliyun ``OutId``, Tencent
``SessionContext``). Phone numbers never reach a log line or an exception message.

Signing follows the providers' public documentation:

* Aliyun ``SendSms`` (RPC, API version 2017-05-25): parameters sorted by name, names and values
  percent-encoded (RFC 3986: only ``A-Z a-z 0-9 - _ . ~`` kept), StringToSign
  ``GET&%2F&`` + percentEncode(canonical query), signature Base64(HMAC-SHA1(AccessKeySecret + "&")).
* Tencent Cloud ``SendSms`` (API 2021-01-11), TC3-HMAC-SHA256: a canonical request (method, ``/``,
  empty query, ``content-type``/``host``/``x-tc-action`` headers, SHA-256 of the JSON body),
  credential scope ``<UTC date>/sms/tc3_request``, key derived HMAC chain
  ``"TC3"+SecretKey → date → service → "tc3_request"``.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

from dangjian.core import config
from dangjian.core.logging import mask_text
from dangjian.core.privacy import mask_phone

log = logging.getLogger("dangjian.notify.sms")


class SmsError(RuntimeError):
    """The provider refused or could not be reached; the outbox retries."""


def sms_settings() -> dict:
    return config.value("SMS", {}) or {}


def template_for(kind: str, conf: dict) -> str:
    tpl = conf.get("templates") or {}
    code = tpl.get(kind) or tpl.get("*") or ""
    if not code:
        raise SmsError(f"no SMS template configured for kind {kind!r} (DANGJIAN_SMS['templates'])")
    return code


def template_params(kind: str, params: dict, text: str, conf: dict) -> dict[str, str]:
    """A kind with its own provider template gets its placeholders; the ``*`` template gets the
    whole rendered text as ``content``."""
    if (conf.get("templates") or {}).get(kind):
        return dict(params)
    return {"content": text}


class Gateway:
    name = "base"

    def send(self, *, phone: str, text: str, kind: str, params: dict, ref: str) -> str:
        raise NotImplementedError


class ConsoleGateway(Gateway):
    """Logs the message instead of sending it (the demo default) — with the number masked."""

    name = "console"

    def send(self, *, phone: str, text: str, kind: str, params: dict, ref: str) -> str:
        log.info("SMS to %s [%s] ref=%s: %s", mask_phone(phone), kind, ref, mask_text(text))
        return f"console-{ref}"


def _call(url: str, *, method: str, timeout: float, data: bytes | None = None, headers: dict | None = None) -> dict:
    """One HTTP request to the provider; the JSON answer, or SmsError (never the phone number)."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise SmsError("SMS endpoint must be http(s)")
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)  # noqa: S310 (scheme checked above)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 (scheme checked above)  # nosec B310
            raw = resp.read()
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        try:
            return json.loads(raw or b"{}") | {"_http_status": exc.code}
        except ValueError:
            raise SmsError(f"SMS provider answered HTTP {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise SmsError(f"SMS provider unreachable: {type(exc).__name__}") from None
    try:
        return json.loads(raw)
    except ValueError:
        raise SmsError("SMS provider answered something that is not JSON") from None


# -- Aliyun ---------------------------------------------------------------------------------

def aliyun_percent_encode(value: str) -> str:
    return urllib.parse.quote(str(value), safe="-_.~")


def aliyun_string_to_sign(params: dict[str, str], method: str = "GET") -> str:
    canonical = "&".join(f"{aliyun_percent_encode(k)}={aliyun_percent_encode(v)}" for k, v in sorted(params.items()))
    return f"{method}&{aliyun_percent_encode('/')}&{aliyun_percent_encode(canonical)}"


def aliyun_signature(params: dict[str, str], secret: str, method: str = "GET") -> str:
    digest = hmac.new(f"{secret}&".encode(), aliyun_string_to_sign(params, method).encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunSmsGateway(Gateway):
    name = "aliyun"
    VERSION = "2017-05-25"

    def __init__(self, conf: dict):
        a = conf.get("aliyun") or {}
        self.conf = conf
        self.key_id = a.get("access_key_id", "")
        self.secret = a.get("access_key_secret", "")
        self.endpoint = a.get("endpoint") or "https://dysmsapi.aliyuncs.com/"
        self.region = a.get("region") or "cn-hangzhou"
        self.sign_name = conf.get("sign_name", "")
        self.timeout = float(conf.get("timeout", 10))
        if not (self.key_id and self.secret and self.sign_name):
            raise SmsError("Aliyun SMS needs access_key_id, access_key_secret and sign_name")

    def build_params(self, *, phone: str, kind: str, params: dict, text: str, ref: str, now: dt.datetime | None = None,
                     nonce: str | None = None) -> dict[str, str]:
        now = now or dt.datetime.now(dt.UTC)
        p = {
            "AccessKeyId": self.key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "OutId": ref,
            "PhoneNumbers": phone,
            "RegionId": self.region,
            "SignName": self.sign_name,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": nonce or uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "TemplateCode": template_for(kind, self.conf),
            "TemplateParam": json.dumps(template_params(kind, params, text, self.conf), ensure_ascii=False, separators=(",", ":")),
            "Timestamp": now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": self.VERSION,
        }
        p["Signature"] = aliyun_signature(p, self.secret)
        return p

    def send(self, *, phone: str, text: str, kind: str, params: dict, ref: str) -> str:
        p = self.build_params(phone=phone, kind=kind, params=params, text=text, ref=ref)
        query = "&".join(f"{aliyun_percent_encode(k)}={aliyun_percent_encode(v)}" for k, v in p.items())
        sep = "&" if "?" in self.endpoint else "?"
        body = _call(self.endpoint + sep + query, method="GET", timeout=self.timeout)
        code = body.get("Code")
        if code != "OK":
            raise SmsError(f"Aliyun SendSms refused: {code} {mask_text(str(body.get('Message', '')))[:200]}")
        log.info("SMS sent via Aliyun to %s ref=%s biz=%s", mask_phone(phone), ref, body.get("BizId", ""))
        return str(body.get("BizId", ""))


# -- Tencent Cloud --------------------------------------------------------------------------

def tc3_signature(*, secret_key: str, service: str, timestamp: int, canonical_request: str) -> str:
    date = dt.datetime.fromtimestamp(timestamp, dt.UTC).strftime("%Y-%m-%d")
    scope = f"{date}/{service}/tc3_request"
    string_to_sign = "\n".join(["TC3-HMAC-SHA256", str(timestamp), scope, hashlib.sha256(canonical_request.encode()).hexdigest()])

    def _h(key: bytes, msg: str) -> bytes:
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()

    k = _h(("TC3" + secret_key).encode(), date)
    k = _h(k, service)
    k = _h(k, "tc3_request")
    return hmac.new(k, string_to_sign.encode(), hashlib.sha256).hexdigest()


def tc3_canonical_request(*, host: str, content_type: str, payload: bytes, action: str | None) -> tuple[str, str]:
    """(canonical request, signed headers) of a POST to ``/`` with no query string."""
    headers = [("content-type", content_type.lower()), ("host", host.lower())]
    if action:
        headers.append(("x-tc-action", action.lower()))
    canonical_headers = "".join(f"{k}:{v}\n" for k, v in headers)
    signed = ";".join(k for k, _v in headers)
    req = "\n".join(["POST", "/", "", canonical_headers, signed, hashlib.sha256(payload).hexdigest()])
    return req, signed


class TencentSmsGateway(Gateway):
    name = "tencent"
    VERSION = "2021-01-11"
    SERVICE = "sms"
    CONTENT_TYPE = "application/json; charset=utf-8"

    def __init__(self, conf: dict):
        t = conf.get("tencent") or {}
        self.conf = conf
        self.secret_id = t.get("secret_id", "")
        self.secret_key = t.get("secret_key", "")
        self.app_id = t.get("sdk_app_id", "")
        self.endpoint = t.get("endpoint") or "https://sms.tencentcloudapi.com/"
        self.region = t.get("region") or "ap-guangzhou"
        self.sign_name = conf.get("sign_name", "")
        self.timeout = float(conf.get("timeout", 10))
        if not (self.secret_id and self.secret_key and self.app_id and self.sign_name):
            raise SmsError("Tencent SMS needs secret_id, secret_key, sdk_app_id and sign_name")

    def build_request(self, *, phone: str, kind: str, params: dict, text: str, ref: str, timestamp: int | None = None):
        timestamp = int(timestamp if timestamp is not None else time.time())
        values = template_params(kind, params, text, self.conf)
        body = json.dumps({
            "PhoneNumberSet": [phone if phone.startswith("+") else f"+86{phone}"],
            "SmsSdkAppId": self.app_id,
            "SignName": self.sign_name,
            "TemplateId": template_for(kind, self.conf),
            "TemplateParamSet": [str(v) for v in values.values()],
            "SessionContext": ref,
        }, ensure_ascii=False, separators=(",", ":")).encode()
        host = urllib.parse.urlsplit(self.endpoint).netloc
        canonical, signed = tc3_canonical_request(host=host, content_type=self.CONTENT_TYPE, payload=body, action="SendSms")
        sig = tc3_signature(secret_key=self.secret_key, service=self.SERVICE, timestamp=timestamp, canonical_request=canonical)
        date = dt.datetime.fromtimestamp(timestamp, dt.UTC).strftime("%Y-%m-%d")
        headers = {
            "Authorization": f"TC3-HMAC-SHA256 Credential={self.secret_id}/{date}/{self.SERVICE}/tc3_request, "
                             f"SignedHeaders={signed}, Signature={sig}",
            "Content-Type": self.CONTENT_TYPE,
            "Host": host,
            "X-TC-Action": "SendSms",
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Version": self.VERSION,
            "X-TC-Region": self.region,
        }
        return body, headers

    def send(self, *, phone: str, text: str, kind: str, params: dict, ref: str) -> str:
        body, headers = self.build_request(phone=phone, kind=kind, params=params, text=text, ref=ref)
        answer = _call(self.endpoint, method="POST", data=body, headers=headers, timeout=self.timeout)
        resp = answer.get("Response") or {}
        if "Error" in resp:
            err = resp["Error"] or {}
            raise SmsError(f"Tencent SendSms refused: {err.get('Code')} {mask_text(str(err.get('Message', '')))[:200]}")
        statuses = resp.get("SendStatusSet") or []
        if not statuses or statuses[0].get("Code") != "Ok":
            st = statuses[0] if statuses else {}
            raise SmsError(f"Tencent SendSms failed: {st.get('Code', 'no status')} {mask_text(str(st.get('Message', '')))[:200]}")
        log.info("SMS sent via Tencent to %s ref=%s serial=%s", mask_phone(phone), ref, statuses[0].get("SerialNo", ""))
        return str(statuses[0].get("SerialNo", ""))


GATEWAYS = {"console": ConsoleGateway, "aliyun": AliyunSmsGateway, "tencent": TencentSmsGateway}


def gateway() -> Gateway:
    conf = sms_settings()
    backend = conf.get("backend") or "console"
    if backend not in GATEWAYS:
        raise SmsError(f"unknown SMS backend {backend!r}; choose one of {sorted(GATEWAYS)}")
    cls = GATEWAYS[backend]
    return cls() if cls is ConsoleGateway else cls(conf)
