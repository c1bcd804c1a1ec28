#!/usr/bin/env python3
"""Seeds each fuzz target's corpus (fuzz/corpus/<target>/) from tests/vectors/*.json."""
import hashlib
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent
VECTORS = ROOT.parent / "tests" / "vectors"


def write(target, data: bytes):
    folder = ROOT / "corpus" / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)


def load(name):
    return json.loads((VECTORS / name).read_text())


for file in ("signatures.json", "nfeio.json"):
    for case in load(file)["cases"]:
        write("signature_header", case["header"].encode())
chaves = load("chaves.json")
for case in chaves["valid"] + chaves["invalid"]:
    write("chave_parse", case["input"].encode())
documents = load("documents.json")
for kind in ("cnpj", "cpf"):
    for case in documents[kind]["valid"] + documents[kind]["invalid"]:
        write("documents", case["input"].encode())
for case in load("events.json")["cases"]:
    write("verify_event", case["body"].encode())
# The sandbox's request bodies: first byte = endpoint (see fuzz_targets/sandbox_bodies.rs).
valid_key = chaves["valid"][0]["normalized"]
bodies = {
    0: [
        {"name": "Minha integração", "url": "https://suaapp.com/webhooks/nfe", "events": ["nfe.processada", "nfe.cancelada"]},
        {"name": "x", "url": "http://127.0.0.1:8080/h", "events": ["nfe.erro"], "isActive": False, "secret": "whsec_0123456789"},
        {"name": " ", "url": "ftp://x", "events": ["nfe.outro", "nfe.erro", "nfe.erro"], "secret": "a b"},
        {"name": 1, "url": None, "events": "nfe.erro", "isActive": "yes"},
    ],
    1: [{"isActive": False}, {"name": "novo", "url": "https://a.b:65535/x", "events": ["nfe.cancelada"]}, {"secret": "s"}, {"url": "https://host:0"}],
    2: [{"nfeChave": valid_key}, {"nfeChave": "NFe" + valid_key}, {"nfeChave": 35}, {}],
    4: [
        {"event": "nfe.processada"},
        {"event": "nfe.cancelada", "nfeChave": valid_key, "emitente": {"cnpj": "11222333000181", "razaoSocial": "Empresa"},
         "valor": 1500.00, "dataEmissao": "2024-03-10T16:45:30Z"},
        {"event": "nfe.outro", "valor": "1e400"},
    ],
}
for selector, items in bodies.items():
    for item in items:
        write("sandbox_bodies", bytes([selector]) + json.dumps(item, ensure_ascii=False).encode())
for raw in (b"", b"[]", b"{", b"null", b'{"valor": 12.345678901234567890123}'):
    for selector in (0, 1, 2, 4):
        write("sandbox_bodies", bytes([selector]) + raw)
for case in chaves["valid"] + chaves["invalid"]:
    write("sandbox_bodies", b"\x03" + case["input"].encode())
# The bulk-import parser: first byte = how it arrives (0 pasted, 1 .csv, 2 .txt, 3 .xml).
keys = [case["normalized"] for case in chaves["valid"]]
grouped = " ".join(keys[0][i:i + 4] for i in range(0, 44, 4))
pasted = "\n".join(keys + [grouped, "Chave: " + grouped + ".", "# comentario", "123"] +
                    [case["input"] for case in chaves["invalid"]])
write("import_parse", b"\x00" + pasted.encode())
csv = "numero;chave;valor\n" + "\n".join(f'{i};"{k}";1.500,00' for i, k in enumerate(keys)) + "\n"
write("import_parse", b"\x01" + csv.encode())
write("import_parse", b"\x01" + ('chave,obs\n"' + keys[0] + '","a\nb, ""c"""\n').encode("latin-1", "replace"))
write("import_parse", b"\x02\xff\xfe" + ("Chave\t" + keys[1] + "\r\n").encode("utf-16-le"))
xml = ('<?xml version="1.0"?><nfeProc xmlns="http://www.portalfiscal.inf.br/nfe"><NFe><infNFe Id="NFe' + keys[0] +
       '" versao="4.00"/></NFe><protNFe><infProt><chNFe>' + keys[0] + '</chNFe></infProt></protNFe></nfeProc>')
write("import_parse", b"\x03" + xml.encode())
write("import_parse", b"\x03<enviNFe><nfe:chNFe xmlns:nfe='x'>" + keys[1].encode() + b"</nfe:chNFe><broken")
print("seeded", ROOT / "corpus")
