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
print("seeded", ROOT / "corpus")
