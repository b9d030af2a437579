"""Aliyun SMS: the RPC signature against the published examples, SendSms against a vendor-shaped receiver."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from mofang.reach.channels.aliyun_sms import AliyunSms, canonical_query, percent, rpc_signature, string_to_sign
from mofang.reach.contracts import RenderedMessage
from reach.channels.conftest import Vendor, context

# The worked example of Aliyun's SMS "HTTP协议及签名" document (AccessKeySecret "testSecret").
SMS_EXAMPLE = {
    "AccessKeyId": "testId", "Action": "SendSms", "Format": "XML", "OutId": "123", "PhoneNumbers": "15300000001",
    "RegionId": "cn-hangzhou", "SignName": "阿里云短信测试专用", "SignatureMethod": "HMAC-SHA1",
    "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466", "SignatureVersion": "1.0",
    "TemplateCode": "SMS_71390007", "TemplateParam": '{"customer":"test"}', "Timestamp": "2017-07-12T02:42:19Z",
    "Version": "2017-05-25",
}
SMS_EXAMPLE_STRING_TO_SIGN = (
    "GET&%2F&AccessKeyId%3DtestId%26Action%3DSendSms%26Format%3DXML%26OutId%3D123%26PhoneNumbers%3D15300000001"
    "%26RegionId%3Dcn-hangzhou%26SignName%3D%25E9%2598%25BF%25E9%2587%258C%25E4%25BA%2591%25E7%259F%25AD%25E4"
    "%25BF%25A1%25E6%25B5%258B%25E8%25AF%2595%25E4%25B8%2593%25E7%2594%25A8%26SignatureMethod%3DHMAC-SHA1"
    "%26SignatureNonce%3D45e25e9b-0a6f-4070-8c85-2956eda1b466%26SignatureVersion%3D1.0%26TemplateCode"
    "%3DSMS_71390007%26TemplateParam%3D%257B%2522customer%2522%253A%2522test%2522%257D%26Timestamp"
    "%3D2017-07-12T02%253A42%253A19Z%26Version%3D2017-05-25"
)


def test_the_signature_reproduces_the_published_sendsms_example() -> None:
    assert string_to_sign(SMS_EXAMPLE) == SMS_EXAMPLE_STRING_TO_SIGN
    assert rpc_signature(SMS_EXAMPLE, "testSecret") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="
    # A Signature parameter already present is not part of what is signed.
    assert rpc_signature({**SMS_EXAMPLE, "Signature": "old"}, "testSecret") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="


def test_the_signature_reproduces_the_rpc_signature_document_example() -> None:
    # The DescribeRegions example of Aliyun's "signature method V2 for RPC APIs" page (secret "testsecret").
    params = {"Format": "XML", "AccessKeyId": "testid", "Action": "DescribeRegions", "SignatureMethod": "HMAC-SHA1",
              "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf", "SignatureVersion": "1.0",
              "Version": "2014-05-26", "Timestamp": "2016-02-23T12:46:24Z"}
    assert rpc_signature(params, "testsecret") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="


def test_percent_encoding_follows_the_spec_not_form_encoding() -> None:
    assert percent("a b*c~d") == "a%20b%2Ac~d"
    assert percent("/=&+") == "%2F%3D%26%2B"
    assert canonical_query({"b": "2", "a": "x y"}) == "a=x%20y&b=2"


def aliyun_vendor(secret: str, *, code: Callable[[dict[str, str]], tuple[int, dict[str, Any]]] | None = None
                  ) -> Callable[[str, str, Mapping[str, str], bytes], tuple[int, Any]]:
    """What dysmsapi checks: the signature, the required parameters, then answers `Code`."""

    def handle(method: str, path: str, _headers: Mapping[str, str], _body: bytes) -> tuple[int, Any]:
        params = dict(parse_qsl(urlsplit(path).query, keep_blank_values=True))
        given = params.pop("Signature", "")
        if method != "GET" or rpc_signature(params, secret) != given:
            return 400, {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched"}
        for name in ("AccessKeyId", "PhoneNumbers", "SignName", "TemplateCode", "Timestamp", "SignatureNonce"):
            if not params.get(name):
                return 400, {"Code": "MissingParameter", "Message": name}
        if params["Version"] != "2017-05-25" or params["Action"] != "SendSms":
            return 400, {"Code": "InvalidVersion"}
        if code is not None:
            return code(params)
        return 200, {"Code": "OK", "Message": "OK", "BizId": f"900619746936498440^{params['OutId']}",
                     "RequestId": "F655A8D5-B967-440B-8683-DAD6FF8DE990"}

    return handle


def provider(vendor_url: str, secret: str = "s3cret") -> AliyunSms:
    cfg = {"access_key_id": "LTAI-test", "sign_name": "魔方银行", "template_code": "SMS_1000",
           "endpoint": vendor_url}
    return AliyunSms(cfg, {"access_key_secret": secret}, context(),
                     clock=lambda: datetime(2026, 3, 20, 2, 0, tzinfo=UTC))


def test_sendsms_is_signed_like_the_vendor_checks_and_takes_bizid(vendor: Callable[..., Vendor]) -> None:
    v = vendor(aliyun_vendor("s3cret"))
    msg = RenderedMessage(channel="sms", body="您的理财即将到期", data={"name": "张先生", "product": "稳盈"},
                          delivery_id=42)
    out = provider(v.url).send(msg, address="13800001111", idempotency_key="k-1")
    assert out.accepted and out.vendor_id == "900619746936498440^42"
    params = dict(parse_qsl(urlsplit(v.requests[0]["path"]).query))
    assert params["OutId"] == "42" and params["PhoneNumbers"] == "13800001111"
    assert json.loads(params["TemplateParam"]) == {"name": "张先生", "product": "稳盈"}
    assert params["SignName"] == "魔方银行" and params["Timestamp"] == "2026-03-20T02:00:00Z"
    # Another nonce each call: the vendor refuses a reused one.
    provider(v.url).send(msg, address="13800001111", idempotency_key="k-1")
    nonces = {dict(parse_qsl(urlsplit(r["path"]).query))["SignatureNonce"] for r in v.requests}
    assert len(nonces) == 2


def test_a_wrong_secret_is_a_final_refusal_naming_the_vendor_code(vendor: Callable[..., Vendor]) -> None:
    v = vendor(aliyun_vendor("the-real-secret"))
    out = provider(v.url, secret="wrong").send(RenderedMessage(channel="sms", body="x"), address="1",
                                              idempotency_key="k")
    assert not out.accepted and not out.retryable and out.reason == "aliyun_SignatureDoesNotMatch"


def test_throttling_and_5xx_are_retried_business_refusals_are_final(vendor: Callable[..., Vendor]) -> None:
    answers = iter([(200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"}),
                    (400, {"Code": "Throttling.User", "Message": "Request was denied due to user flow control."}),
                    (503, {"Code": "ServiceUnavailable"})])
    v = vendor(aliyun_vendor("s3cret", code=lambda _p: next(answers)))
    p = provider(v.url)
    results = [p.send(RenderedMessage(channel="sms", body="x"), address="1", idempotency_key="k") for _ in range(3)]
    assert [(r.accepted, r.retryable, r.reason) for r in results] == [
        (False, False, "aliyun_isv.MOBILE_NUMBER_ILLEGAL"), (False, True, "aliyun_Throttling.User"),
        (False, True, "http_503")]


def test_status_reports_in_the_aliyun_push_shape_become_receipts() -> None:
    body = json.dumps([
        {"phone_number": "13800001111", "send_time": "2026-03-20 10:00:00", "report_time": "2026-03-20 10:00:05",
         "success": True, "err_code": "DELIVERED", "err_msg": "用户接收成功", "sms_size": "1",
         "biz_id": "900619746936498440^42", "out_id": "42"},
        {"phone_number": "13900002222", "send_time": "2026-03-20 10:00:00", "report_time": "2026-03-20 10:00:07",
         "success": False, "err_code": "MK:0001", "err_msg": "空号", "sms_size": "1", "biz_id": "77^43",
         "out_id": "43"}], ensure_ascii=False).encode()
    receipts = provider("http://127.0.0.1:1").parse_receipt(body, {})
    assert [(r.status, r.vendor_id, r.detail["vendor_status"]) for r in receipts] == [
        ("delivered", "900619746936498440^42", "DELIVERED"), ("undelivered", "77^43", "MK:0001")]
    assert receipts[0].at == datetime(2026, 3, 20, 2, 0, 5, tzinfo=UTC)  # Beijing time read as such
