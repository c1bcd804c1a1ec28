#!/usr/bin/env python3
"""Writes the shared test vectors of tests/vectors/*.json.

The expected values come from Python's own `hmac`/`hashlib` and an independent re-implementation
of the access-key and CNPJ/CPF rules of shared/spec/nfe-access-key.md, so the Rust and Node
suites are checked against a second implementation, not against themselves. Published vectors
(RFC 4231, GitHub's documentation, octokit's test suite, NFE.io's SDK fixture) are asserted here
before anything is written.

Run: python3 tests/vectors/generate.py
"""
import base64
import hashlib
import hmac
import json
import pathlib

HERE = pathlib.Path(__file__).parent


def mac256(key: bytes, body: bytes) -> bytes:
    return hmac.new(key, body, hashlib.sha256).digest()


def header(key: bytes, body: bytes) -> str:
    return "sha256=" + mac256(key, body).hex()


def printable(data: bytes) -> bool:
    return data.isascii() and all(b >= 32 or b in (9, 10, 13) for b in data)


def case(name, secret, body, header_value, expected, **extra):
    entry = {"name": name}
    if isinstance(secret, bytes) and not printable(secret):
        entry["secret_hex"] = secret.hex()
    else:
        entry["secret"] = secret.decode() if isinstance(secret, bytes) else secret
    if isinstance(body, bytes) and not printable(body):
        entry["body_hex"] = body.hex()
    else:
        entry["body"] = body.decode() if isinstance(body, bytes) else body
    entry["header"] = header_value
    entry["expected"] = expected
    entry.update(extra)
    return entry


def signatures():
    cases = []
    # RFC 4231 (HMAC-SHA256 column).
    rfc = [
        ("rfc4231-1", b"\x0b" * 20, b"Hi There",
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        ("rfc4231-2", b"Jefe", b"what do ya want for nothing?",
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        ("rfc4231-3", b"\xaa" * 20, b"\xdd" * 50,
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        ("rfc4231-4", bytes(range(1, 26)), b"\xcd" * 50,
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        ("rfc4231-6", b"\xaa" * 131, b"Test Using Larger Than Block-Size Key - Hash Key First",
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        ("rfc4231-7", b"\xaa" * 131,
         b"This is a test using a larger than block-size key and a larger than block-size data."
         b" The key needs to be hashed before being used by the HMAC algorithm.",
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ]
    for name, key, data, published in rfc:
        assert mac256(key, data).hex() == published, name
        cases.append(case(name, key, data, "sha256=" + published, "ok"))
    # GitHub's documentation of X-Hub-Signature-256, the same `sha256=<hex>` scheme.
    gh = ("It's a Secret to Everybody", "Hello, World!",
          "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")
    assert header(gh[0].encode(), gh[1].encode()) == gh[2]
    cases.append(case("github-docs", gh[0], gh[1], gh[2], "ok"))
    # octokit/webhooks-methods' test suite.
    ok = ("mysecret", '{"foo":"bar"}',
          "sha256=4864d2759938a15468b5df9ade20bf161da9b4f737ea61794142f3484236bda3")
    assert header(ok[0].encode(), ok[1].encode()) == ok[2]
    cases.append(case("octokit", ok[0], ok[1], ok[2], "ok"))

    secret = "whsec_1234567890abcdef"
    body = SPEC_BODY
    good = header(secret.encode(), body.encode())
    mac = mac256(secret.encode(), body.encode())
    cases += [
        case("spec-event", secret, body, good, "ok"),
        case("uppercase-hex", secret, body, "sha256=" + mac.hex().upper(), "ok"),
        case("uppercase-prefix", secret, body, "SHA256=" + mac.hex(), "ok"),
        case("surrounding-whitespace", secret, body, "  " + good + " \t", "ok"),
        case("base64", secret, body, "sha256=" + base64.b64encode(mac).decode(), "ok"),
        case("base64url-unpadded", secret, body,
             "sha256=" + base64.urlsafe_b64encode(mac).decode().rstrip("="), "ok"),
        case("bare-hex", secret, body, mac.hex(), "ok"),
        case("second-of-two-comma", secret, body, header(b"whsec_old", body.encode()) + "," + good, "ok"),
        case("second-of-two-space", secret, body, header(b"whsec_old", body.encode()) + " " + good, "ok"),
        case("empty-body", secret, "", header(secret.encode(), b""), "ok"),
        case("non-ascii-body", secret, "{\"razaoSocial\":\"Pão & Açúcar Ltda — ñ 😀\"}",
             header(secret.encode(), "{\"razaoSocial\":\"Pão & Açúcar Ltda — ñ 😀\"}".encode()), "ok"),
        case("non-ascii-secret", "whsec_çãé", body, header("whsec_çãé".encode(), body.encode()), "ok"),
        case("missing", secret, body, "", "missing_signature"),
        case("blank", secret, body, "   ", "missing_signature"),
        case("no-value", secret, body, "sha256=", "malformed_signature"),
        case("not-hex", secret, body, "sha256=" + "zz" * 32, "malformed_signature"),
        case("too-long", secret, body, good + "00", "malformed_signature"),
        case("sha1-downgrade", secret, body,
             "sha1=" + hmac.new(secret.encode(), body.encode(), hashlib.sha1).hexdigest(), "malformed_signature"),
        case("sha512", secret, body,
             "sha512=" + hmac.new(secret.encode(), body.encode(), hashlib.sha512).hexdigest(), "malformed_signature"),
        case("wrong-secret", "whsec_1234567890abcdeF", body, good, "signature_mismatch"),
        case("tampered-body", secret, body.replace("1500.00", "1500.01"), good, "signature_mismatch"),
        case("body-with-trailing-newline", secret, body + "\n", good, "signature_mismatch"),
    ]
    # A whsec_ secret is used as it stands; signing with the base64-decoded part must not pass.
    b64_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    decoded = base64.b64decode(b64_secret[len("whsec_"):] + "==")
    cases.append(case("whsec-not-base64-decoded", b64_secret, body, header(decoded, body.encode()),
                      "signature_mismatch"))
    cases.append(case("whsec-as-is", b64_secret, body, header(b64_secret.encode(), body.encode()), "ok"))
    # Every proper prefix of a right header fails.
    # (43 hex characters are also valid unpadded base64 of 32 bytes: that prefix decodes, and mismatches.)
    for n in range(len(good)):
        expected = "missing_signature" if n == 0 else "malformed_signature"
        if n == len("sha256=") + 43:
            expected = "signature_mismatch"
        cases.append(case(f"prefix-{n}", secret, body, good[:n], expected))
    return {
        "description": "X-Webhook-Signature vectors: secret (UTF-8) or secret_hex, body (UTF-8) or body_hex, "
                       "header value, expected outcome (ok or the error code).",
        "cases": cases,
    }


def nfeio():
    secret = "probe-secret-32chars-minimum-length-1"
    body = ('{"action":"ping","webHook":{"Id":"9dd4c3e9df4043adb11df22dcd9d8ce1","Uri":"https://webhook.site/'
            '002aedc9-653d-49f9-8a81-9cc88dd741cb","Secret":"probe-secret-32chars-minimum-length-1",'
            '"ContentType":"json","InsecureSsl":false,"Status":"active","Filters":["product_invoice.issued_'
            'successfully"],"CreatedOn":"2026-06-11T01:21:16.6890073+00:00","ModifiedOn":"2026-06-11T01:21:'
            '16.6890199+00:00"}}')
    published = "sha1=22E979F2F1281DADB4F883975D951732DE5D396A"
    digest = hmac.new(secret.encode(), body.encode(), hashlib.sha1).hexdigest()
    assert "sha1=" + digest.upper() == published
    return {
        "description": "X-Hub-Signature (NFE.io) vectors; same fields as signatures.json.",
        "cases": [
            case("nfeio-sdk-fixture", secret, body, published, "ok"),
            case("lowercase-hex", secret, body, "sha1=" + digest, "ok"),
            case("tampered", secret, body.replace("ping", "pong"), published, "signature_mismatch"),
            case("sha256-downgrade", secret, body, header(secret.encode(), body.encode()), "malformed_signature"),
            case("missing", secret, body, "", "missing_signature"),
        ],
    }


# --- access keys ----------------------------------------------------------------------------
UF = {11, 12, 13, 14, 15, 16, 17, 21, 22, 23, 24, 25, 26, 27, 28, 29, 31, 32, 33, 35, 41, 42, 43, 50, 51, 52, 53}


def val(c):
    return ord(c) - 48


def key_dv(first43):
    total = 0
    weight = 2
    for c in reversed(first43):
        total += val(c) * weight
        weight = 2 if weight == 9 else weight + 1
    r = total % 11
    return 0 if r < 2 else 11 - r


def cnpj_dvs(base12):
    def d(chars, weights):
        r = sum(val(c) * w for c, w in zip(chars, weights)) % 11
        return 0 if r < 2 else 11 - r
    d1 = d(base12, [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2])
    d2 = d(base12 + str(d1), [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2])
    return f"{d1}{d2}"


def cpf_dvs(base9):
    def d(chars, start):
        return sum(int(c) * w for c, w in zip(chars, range(start, 1, -1))) * 10 % 11 % 10
    d1 = d(base9, 10)
    d2 = d(base9 + str(d1), 11)
    return f"{d1}{d2}"


def complete(first43):
    return first43 + str(key_dv(first43))


def chaves():
    moc = "52060433009911002506550120000007800267301615"
    assert key_dv(moc[:43]) == 5
    alnum = "52060412ABC34501DE35550120000007801267301610"
    assert key_dv(alnum[:43]) == 0 and cnpj_dvs("12ABC34501DE") == "35"
    cnpj = "08530528000184"
    valid = [
        {"name": "moc-worked-example", "input": moc, "normalized": moc, "uf": "GO", "ufCode": 52,
         "ano": 2006, "mes": 4, "emitente": "33009911002506", "emitenteKind": "CNPJ", "modelo": 55,
         "serie": 12, "numero": 780, "tipoEmissao": 0, "codigoNumerico": "26730161", "digito": 5,
         "legacy": True},
        {"name": "moc-grouped", "input": " 5206 0433 0099 1100 2506 5501 2000 0007 8002 6730 1615 ", "normalized": moc},
        {"name": "moc-dotted", "input": "5206.0433.0099.1100.2506.5501.2000.0007.8002.6730.1615", "normalized": moc},
        {"name": "infnfe-id", "input": "NFe" + moc, "normalized": moc},
        {"name": "alphanumeric-cnpj", "input": alnum, "normalized": alnum, "uf": "GO", "ufCode": 52,
         "emitente": "12ABC34501DE35", "emitenteKind": "CNPJ", "modelo": 55, "tipoEmissao": 1, "digito": 0},
        {"name": "alphanumeric-cnpj-lowercase", "input": alnum.lower(), "normalized": alnum},
    ]
    body = f"352605{cnpj}55001000012345100077156"
    k = complete(body[:43])
    valid.append({"name": "nfe-sp-2026", "input": k, "normalized": k, "uf": "SP", "ufCode": 35, "ano": 2026,
                  "mes": 5, "emitente": cnpj, "emitenteKind": "CNPJ", "modelo": 55, "serie": 1, "numero": 12345,
                  "tipoEmissao": 1, "codigoNumerico": "00077156"})
    nfce = complete(f"412511{cnpj}65002000000042900001234")
    valid.append({"name": "nfce-offline", "input": nfce, "normalized": nfce, "uf": "PR", "modelo": 65,
                  "tipoEmissao": 9, "serie": 2, "numero": 42})
    cpf = "52998224725"
    assert cpf_dvs(cpf[:9]) == cpf[9:]
    cpf_key = complete(f"312501000{cpf}55920000000001100000099")
    valid.append({"name": "cpf-issuer", "input": cpf_key, "normalized": cpf_key, "uf": "MG",
                  "emitente": cpf, "emitenteKind": "CPF", "serie": 920})
    cte = complete(f"432410{cnpj}57001000000777800000001")
    valid.append({"name": "cte-svc-sp", "input": cte, "normalized": cte, "modelo": 57, "tipoEmissao": 8})
    nfcom = complete(f"352503{cnpj}62001000000010130000001")
    valid.append({"name": "nfcom-site-autoriz", "input": nfcom, "normalized": nfcom, "modelo": 62,
                  "codigoNumerico": "0000001"})

    def bad(name, text, code, **extra):
        return {"name": name, "input": text, "error": code, **extra}

    invalid = [
        bad("validanfe-doc-example-1", "35170608530528000184550000000154301000771561", "check_digit",
            position=44, expected=9, found=1),
        bad("validanfe-doc-example-2", "35170608530528000184550000000154302000771562", "check_digit",
            position=44, expected=7, found=2),
        bad("short", moc[:43], "length", foundLength=43),
        bad("long", moc + "0", "length", foundLength=45),
        bad("empty", "", "length", foundLength=0),
        bad("letter-in-uf", "A" + moc[1:], "invalid_character", position=1),
        bad("letter-in-number", moc[:30] + "X" + moc[31:], "invalid_character", position=31),
        bad("symbol", moc[:10] + "#" + moc[11:], "invalid_character", position=11),
        bad("uf-91", complete("91" + moc[2:43]), "unknown_uf", position=1),
        bad("uf-00", complete("00" + moc[2:43]), "unknown_uf", position=1),
        bad("month-00", complete(moc[:2] + "0600" + moc[6:43]), "invalid_month", position=5),
        bad("month-13", complete(moc[:2] + "0613" + moc[6:43]), "invalid_month", position=5),
        bad("model-56", complete(moc[:20] + "56" + moc[22:43]), "unknown_model", position=21),
        bad("model-59-cfe-sat", complete(moc[:20] + "59" + moc[22:43]), "cfe_sat_layout", position=21),
        bad("tpemis-9-on-nfe", complete(alnum[:34] + "9" + alnum[35:43]), "unknown_emission_type", position=35),
        bad("tpemis-0-after-2011", complete("5212" + moc[4:43]), "unknown_emission_type", position=35),
        bad("number-zero", complete(moc[:25] + "000000000" + moc[34:43]), "number_zero", position=26),
        bad("cnpj-check-digit", complete(f"352605{cnpj[:13]}5" + "55001000012345100077156"), "invalid_emitente",
            position=20),
        bad("cnpj-all-zero", complete("352605" + "0" * 14 + "55001000012345100077156"), "invalid_emitente"),
        bad("alphanumeric-cnpj-letter-to-zero", complete("52060412" + "0" * 3 + alnum[11:43]), "invalid_emitente"),
    ]
    # Every single-digit change of a valid key is caught (by the check digit or a field rule).
    for pos in (0, 10, 25, 40, 43):
        original = moc[pos]
        changed = str((int(original) + 1) % 10)
        invalid.append(bad(f"moc-digit-{pos + 1}-changed", moc[:pos] + changed + moc[pos + 1:], None))
    return {
        "description": "Access keys. valid: input, normalized and the decoded fields present; invalid: input and "
                       "error code (null: any error), with position/expected/found where given.",
        "valid": valid,
        "invalid": invalid,
    }


def documents():
    cnpj_valid = ["08530528000184", "08.530.528/0001-84", "12ABC34501DE35", "12.ABC.345/01DE-35",
                  "00000000000191", "11222333000181"]
    for c in cnpj_valid:
        bare = "".join(ch for ch in c if ch.isalnum()).upper()
        assert cnpj_dvs(bare[:12]) == bare[12:], c
    cpf_valid = ["52998224725", "529.982.247-25", "12345678909", "11144477735"]
    for c in cpf_valid:
        bare = "".join(ch for ch in c if ch.isdigit())
        assert cpf_dvs(bare[:9]) == bare[9:], c
    return {
        "description": "CNPJ and CPF: valid inputs with their formatted form; invalid with the error code.",
        "cnpj": {
            "valid": [{"input": c, "formatted": fmt_cnpj(c)} for c in cnpj_valid],
            "invalid": [
                {"input": "08530528000185", "error": "check_digit", "digit": 2},
                {"input": "08530528000194", "error": "check_digit", "digit": 1},
                {"input": "12ABC34501DE36", "error": "check_digit", "digit": 2},
                {"input": "11111111111111", "error": "all_same_digit"},
                {"input": "00000000000000", "error": "all_same_digit"},
                {"input": "0853052800018", "error": "length"},
                {"input": "085305280001844", "error": "length"},
                {"input": "12ABC34501DE3A", "error": "invalid_character"},
                {"input": "08530528000#84", "error": "invalid_character"},
            ],
        },
        "cpf": {
            "valid": [{"input": c, "formatted": fmt_cpf(c)} for c in cpf_valid],
            "invalid": [
                {"input": "52998224724", "error": "check_digit", "digit": 2},
                {"input": "12345678919", "error": "check_digit", "digit": 1},
                {"input": "00000000000", "error": "all_same_digit"},
                {"input": "5299822472", "error": "length"},
                {"input": "5299822472A", "error": "invalid_character"},
            ],
        },
    }


def fmt_cnpj(c):
    b = "".join(ch for ch in c if ch.isalnum()).upper()
    return f"{b[:2]}.{b[2:5]}.{b[5:8]}/{b[8:12]}-{b[12:]}"


def fmt_cpf(c):
    b = "".join(ch for ch in c if ch.isdigit())
    return f"{b[:3]}.{b[3:6]}.{b[6:9]}-{b[9:]}"


# The spec's example delivery, byte for byte as compact JSON (valor 1500.00 kept as written).
SPEC_BODY = ('{"id":"delivery-uuid","event":"nfe.processada","timestamp":"2024-03-10T16:45:30Z","data":'
             '{"nfeChave":"35170608530528000184550000000154301000771561","status":"processada","emitente":'
             '{"cnpj":"12345678000195","razaoSocial":"Empresa Exemplo LTDA"},"valor":1500.00,"dataEmissao":'
             '"2024-03-10T15:30:45Z"}}')


# The account webhook's bodies (spec section 5), compact as ValidaNFe's Node sample would sign them.
ACCOUNT_CHAVE = "52060433009911002506550120000007800267301615"
UPLOAD_URL = "https://api.validanfe.com/GuardaNFe/Arquivos/f3a9c2/download"


def account_body(evento, fields):
    return (f'{{"evento":"{evento}","timestamp":"2024-03-10T16:45:30Z","dados":'
            f'{{"chave_nfe":"{ACCOUNT_CHAVE}",{fields}}}}}')


def digest_id(body):
    """The event id of a body without one: `sha256:` and the hex SHA-256 of its UTF-8 bytes."""
    return "sha256:" + hashlib.sha256(body.encode()).hexdigest()


def events():
    secret = "whsec_1234567890abcdef"
    t = 1710089130  # 2024-03-10T16:45:30Z
    spec_body = SPEC_BODY
    unknown = spec_body.replace('"nfe.processada"', '"nfe.denegada"').replace('"processada"', '"denegada"')
    spec_unknown_fields = spec_body.replace('"data":{', '"versao":2,"dados":[],"data":{"novo":{"a":1},')
    spec_no_id = spec_body.replace('"id":"delivery-uuid",', "")
    concluida = account_body("nfe.consulta.concluida", '"status":"autorizada","tipo_consulta":"completa"')
    consulta_erro = account_body("nfe.consulta.erro", '"erro_codigo":"404","erro_mensagem":"NF-e não encontrada"')
    upload = account_body("guarda.upload.concluido", f'"arquivo_id":"f3a9c2","url_download":"{UPLOAD_URL}"')
    account_with_id = '{"id":"a-1",' + concluida[1:]
    account_unknown = account_body("guarda.download.iniciado", '"arquivo_id":"f3a9c2"')
    account_unknown_fields = concluida.replace('"dados":{', '"data":{"x":1},"origem":"painel","dados":{"lote":7,')

    def ev(name, body, now, expected, tolerance=300, hdr=None, **extra):
        return {"name": name, "secret": secret, "body": body,
                "header": hdr if hdr is not None else header(secret.encode(), body.encode()),
                "now": now, "tolerance": tolerance, "expected": expected, **extra}

    return {
        "description": "verify_event vectors of both delivery dialects: now in Unix seconds, tolerance in "
                       "seconds, expected outcome (ok or the error code); for ok, the fields to check "
                       "(event, id, dialect, nfeChave, status, valor, and data: the JS event's data, "
                       "camelCase, compared whole).",
        "cases": [
            ev("spec-body", spec_body, t + 60, "ok", event="nfe.processada", id="delivery-uuid", valor="1500.00",
               nfeChave="35170608530528000184550000000154301000771561"),
            ev("unknown-event-kept", unknown, t, "ok", event="nfe.denegada"),
            ev("edge-of-window-old", spec_body, t + 300, "ok"),
            ev("edge-of-window-future", spec_body, t - 300, "ok"),
            ev("too-old", spec_body, t + 301, "timestamp_too_old"),
            ev("in-future", spec_body, t - 301, "timestamp_in_future"),
            ev("tampered", spec_body.replace("1500.00", "1.00"), t, "signature_mismatch",
               hdr=header(secret.encode(), spec_body.encode())),
            ev("missing-signature", spec_body, t, "missing_signature", hdr=""),
            ev("sha1", spec_body, t, "malformed_signature",
               hdr="sha1=" + hmac.new(secret.encode(), spec_body.encode(), hashlib.sha1).hexdigest()),
            ev("not-json", "not json", t, "invalid_payload"),
            ev("missing-field", '{"id":"x","event":"nfe.erro","data":{"nfeChave":"k","status":"erro"}}', t,
               "invalid_payload"),
            ev("bad-timestamp", spec_body.replace("2024-03-10T16:45:30Z", "10/03/2024"), t, "invalid_payload"),
            # Both dialects (spec section 5): the subscription body with extra fields and without an
            # id, and the account webhook's bodies, whose id is the digest of the body.
            ev("subscription-unknown-fields", spec_unknown_fields, t, "ok", dialect="subscription",
               id="delivery-uuid", status="processada", valor="1500.00"),
            ev("subscription-bare-hex", spec_body, t, "ok", hdr=mac256(secret.encode(), spec_body.encode()).hex(),
               dialect="subscription"),
            ev("subscription-without-id", spec_no_id, t, "ok", dialect="subscription", id=digest_id(spec_no_id)),
            ev("subscription-missing-key", spec_body.replace(
                '"nfeChave":"35170608530528000184550000000154301000771561",', ""), t, "invalid_payload"),
            ev("account-consulta-concluida", concluida, t + 60, "ok",
               hdr=mac256(secret.encode(), concluida.encode()).hex(), dialect="account",
               event="nfe.consulta.concluida", id=digest_id(concluida), nfeChave=ACCOUNT_CHAVE, status="autorizada",
               data={"nfeChave": ACCOUNT_CHAVE, "status": "autorizada", "tipoConsulta": "completa"}),
            ev("account-consulta-erro", consulta_erro, t, "ok", dialect="account", event="nfe.consulta.erro",
               id=digest_id(consulta_erro),
               data={"nfeChave": ACCOUNT_CHAVE, "erroCodigo": "404", "erroMensagem": "NF-e não encontrada"}),
            ev("account-guarda-upload-concluido", upload, t, "ok", dialect="account",
               event="guarda.upload.concluido", id=digest_id(upload),
               data={"nfeChave": ACCOUNT_CHAVE, "arquivoId": "f3a9c2", "urlDownload": UPLOAD_URL}),
            ev("account-with-id", account_with_id, t, "ok", dialect="account", id="a-1"),
            ev("account-unknown-event", account_unknown, t, "ok", dialect="account",
               event="guarda.download.iniciado", id=digest_id(account_unknown)),
            ev("account-unknown-fields", account_unknown_fields, t, "ok", dialect="account",
               event="nfe.consulta.concluida", status="autorizada",
               data={"nfeChave": ACCOUNT_CHAVE, "status": "autorizada", "tipoConsulta": "completa"}),
            ev("account-tampered", concluida.replace("autorizada", "cancelada"), t, "signature_mismatch",
               hdr=header(secret.encode(), concluida.encode())),
            ev("account-wrong-secret", concluida, t, "signature_mismatch",
               hdr=header(b"whsec_other", concluida.encode())),
            ev("account-sha1", concluida, t, "malformed_signature",
               hdr="sha1=" + hmac.new(secret.encode(), concluida.encode(), hashlib.sha1).hexdigest()),
            ev("account-missing-signature", concluida, t, "missing_signature", hdr=""),
            ev("account-too-old", concluida, t + 301, "timestamp_too_old"),
            ev("account-in-future", concluida, t - 301, "timestamp_in_future"),
            ev("account-missing-key", concluida.replace(f'"chave_nfe":"{ACCOUNT_CHAVE}",', ""), t,
               "invalid_payload"),
            ev("account-missing-dados", '{"evento":"nfe.consulta.erro","timestamp":"2024-03-10T16:45:30Z"}', t,
               "invalid_payload"),
            ev("no-event-name", '{"timestamp":"2024-03-10T16:45:30Z","dados":{"chave_nfe":"k"}}', t,
               "invalid_payload"),
            ev("both-event-names", '{"event":"nfe.erro","evento":"nfe.consulta.erro",'
               '"timestamp":"2024-03-10T16:45:30Z","data":{"nfeChave":"k","status":"erro"},'
               '"dados":{"chave_nfe":"k"}}', t, "invalid_payload"),
        ],
    }


def main():
    outputs = {
        "signatures.json": signatures(),
        "nfeio.json": nfeio(),
        "chaves.json": chaves(),
        "documents.json": documents(),
        "events.json": events(),
    }
    for name, data in outputs.items():
        (HERE / name).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        print("wrote", name)


if __name__ == "__main__":
    main()
