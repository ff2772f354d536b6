"""Generate the Lark grammars and guide specs from the pyx12 implementation-guide maps.

Run from the project root with the reference maps beside the project:

    python tools/gen_guides.py ../shared/reference-data/pyx12-maps

It writes ``grammars/<guide>.lark`` (the loop structure, one rule per loop) and
``edi/guides/data/<guide>.json`` (segment usage, repeats, element formats and code
lists for the validator). The maps are BSD-licensed data from pyx12; their licence is
copied beside the generated specs. The 837D guide has no faithful map, so it is
derived from the 837P map with the dental changes listed in ``DENTAL_PATCH``.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

GUIDES = {
    # guide id: (map file, version, ST01, functional id, title)
    "837P": ("837.5010.X222.A1.xml", "005010X222A1", "837", "HC", "Health Care Claim: Professional"),
    "837I": ("837Q3.I.5010.X223.A1.xml", "005010X223A2", "837", "HC", "Health Care Claim: Institutional"),
    "835": ("835.5010.X221.A1.xml", "005010X221A1", "835", "HP", "Health Care Claim Payment/Advice"),
    "999": ("999.5010X231.A1.xml", "005010X231A1", "999", "FA", "Implementation Acknowledgment"),
    "277CA": ("277.5010.X214.xml", "005010X214", "277", "HN", "Health Care Claim Acknowledgment"),
}

# Loops that only group others in the maps; their contents belong to the transaction.
WRAPPERS = {"HEADER", "DETAIL", "FOOTER"}
ENVELOPE = {"ISA", "IEA", "GS", "GE", "TA1"}
# Segments whose first element is free text in some places: never typed by qualifier.
NEVER_QUALIFIED = {"CTX"}


def _text(node: ET.Element, tag: str, default: str = "") -> str:
    found = node.find(tag)
    return (found.text or "").strip() if found is not None and found.text else default


def _element(node: ET.Element, dataele: dict[str, dict[str, Any]]) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "ref": node.get("xid", ""),
        "name": _text(node, "name"),
        "usage": _text(node, "usage", "S"),
        "data_ele": _text(node, "data_ele"),
    }
    if node.tag == "composite":
        spec["components"] = [_element(child, dataele) for child in node.findall("element")]
        return _repeat(node, spec)
    info = dataele.get(spec["data_ele"])
    if info:
        spec.update(type=info["data_type"], min=int(info["min_len"]), max=int(info["max_len"]))
    codes = node.find("valid_codes")
    if codes is not None:
        if codes.get("external"):
            spec["external"] = codes.get("external")
        listed = [c.text.strip() for c in codes.findall("code") if c.text]
        if listed:
            spec["codes"] = listed
    regex = _text(node, "regex")
    if regex:
        spec["regex"] = regex
    return _repeat(node, spec)


def _repeat(node: ET.Element, spec: dict[str, Any]) -> dict[str, Any]:
    """Add how often an element may repeat (CTX01, DMG05: 10), when that is more than once."""
    repeat = _text(node, "repeat", "1")
    if repeat != "1":
        spec["repeat"] = None if repeat.startswith(">") else int(repeat)
    return spec


def _segment(node: ET.Element, dataele: dict[str, dict[str, Any]]) -> dict[str, Any]:
    max_use = _text(node, "max_use", "1")
    return {
        "id": node.get("xid", ""),
        "name": _text(node, "name"),
        "usage": _text(node, "usage", "S"),
        "max_use": None if max_use.startswith(">") else int(max_use),
        "pos": int(_text(node, "pos", "0") or 0),
        "syntax": [s.text.strip() for s in node.findall("syntax") if s.text],
        "elements": [_element(e, dataele) for e in node if e.tag in ("element", "composite")],
    }


def _loop(node: ET.Element, dataele: dict[str, dict[str, Any]]) -> dict[str, Any]:
    repeat = _text(node, "repeat", "1")
    loop: dict[str, Any] = {
        "id": node.get("xid", ""),
        "name": _text(node, "name"),
        "usage": _text(node, "usage", "S"),
        "repeat": None if repeat.startswith(">") else int(repeat),
        "items": [],
    }
    for child in node:
        if child.tag == "segment":
            loop["items"].append(_segment(child, dataele))
        elif child.tag == "loop":
            sub = _loop(child, dataele)
            if sub["id"] in WRAPPERS:
                loop["items"].extend(sub["items"])
            elif sub["usage"] != "N":
                loop["items"].append(sub)
    return loop


def _find_st_loop(loop: dict[str, Any]) -> dict[str, Any]:
    if loop["id"] == "ST_LOOP":
        return loop
    for item in loop["items"]:
        if "items" in item:
            found = _find_st_loop(item)
            if found:
                return found
    return {}


def _qualifier_codes(segment: dict[str, Any], where: tuple[int, int | None]) -> list[str] | None:
    index, comp = where
    if index >= len(segment["elements"]):
        return None
    element = segment["elements"][index]
    if comp is not None:
        comps = element.get("components", [])
        if not comps:
            return None
        element = comps[comp]
    elif "components" in element:
        return None
    return element.get("codes")


def _all_segments(loop: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for item in loop["items"]:
        if "items" in item:
            found.extend(_all_segments(item))
        else:
            found.append(item)
    return found


def choose_qualifiers(body: dict[str, Any]) -> dict[str, list[int | None]]:
    """For each segment ID used in more than one place, the element whose code picks the entry."""
    by_id: dict[str, list[dict[str, Any]]] = {}
    for seg in _all_segments(body):
        by_id.setdefault(seg["id"], []).append(seg)
    chosen: dict[str, list[int | None]] = {}
    for seg_id, entries in sorted(by_id.items()):
        if len(entries) < 2 or seg_id in NEVER_QUALIFIED:
            continue
        # The qualifier is the first element (or its first component), or HL03 for HL,
        # and it must be required wherever the segment is used.
        candidates = [(2, None)] if seg_id == "HL" else [(0, None), (0, 0)]
        for index, comp in candidates:
            sets = [_qualifier_codes(e, (index, comp)) for e in entries]
            required = all(_usage(e, index) == "R" for e in entries)
            if required and all(sets) and len({tuple(s) for s in sets if s}) > 1:
                chosen[seg_id] = [index, comp]
                break
    return chosen


def _usage(segment: dict[str, Any], index: int) -> str:
    elements = segment["elements"]
    return str(elements[index]["usage"]) if index < len(elements) else "N"


def terminal(seg_id: str, code: str | None) -> str:
    """The token type of a segment: its ID, plus the qualifier code where one decides."""
    if code is None:
        return seg_id
    safe = re.sub(r"[^A-Z0-9]", lambda m: f"_{ord(m.group()):02X}", code.upper())
    return f"{seg_id}_{safe}"


def assign_tokens(loop: dict[str, Any], qualifiers: dict[str, list[int | None]]) -> None:
    for item in loop["items"]:
        if "items" in item:
            assign_tokens(item, qualifiers)
            continue
        where = qualifiers.get(item["id"])
        if where is None:
            item["tokens"] = [item["id"]]
        else:
            codes = _qualifier_codes(item, (where[0], where[1])) or []
            item["tokens"] = [terminal(item["id"], c) for c in codes]


def rule_name(loop_id: str) -> str:
    return "loop_" + re.sub(r"[^a-z0-9]", "_", loop_id.lower())


def _flatten_loops(loop: dict[str, Any], out: dict[str, dict[str, Any]]) -> None:
    for item in loop["items"]:
        if "items" not in item:
            continue
        previous = out.get(item["id"])
        if previous is not None and _strip(previous) != _strip(item):
            raise SystemExit(f"loop {item['id']} appears twice with different contents")
        out[item["id"]] = item
        _flatten_loops(item, out)


def _strip(loop: dict[str, Any]) -> str:
    """A loop's contents, without its own usage (which depends on where it stands)."""
    return json.dumps({**loop, "usage": None}, sort_keys=True)


def _alternatives(loop: dict[str, Any], skip_first: bool) -> list[tuple[str, str]]:
    alts: list[tuple[str, str]] = []
    seen: set[str] = set()
    items = loop["items"][1:] if skip_first else loop["items"]
    for item in items:
        if "items" in item:
            name, note = (
                rule_name(item["id"]),
                f"{item['id']} {item['name']} ({item['usage']}, {item['repeat'] or '>1'})",
            )
            alts.append((name, note))
            continue
        if item["id"] in ("ST", "SE"):
            continue
        for token in item["tokens"]:
            if token in seen:
                continue
            seen.add(token)
            alts.append((token, f"{item['usage']} {item['max_use'] or '>1'}  {item['name']}"))
    return alts


def render_grammar(guide: str, version: str, title: str, body: dict[str, Any]) -> str:
    loops: dict[str, dict[str, Any]] = {}
    _flatten_loops(body, loops)
    tokens: set[str] = {"ST", "SE", "UNPLACED"}
    lines = [
        f"// {guide} {version}: {title}.",
        "// Generated by tools/gen_guides.py from the pyx12 implementation-guide map (BSD licence).",
        "// Each token is one segment, typed by its ID plus the qualifier that picks its place",
        "// (NM1_85, HL_22, ...). A loop is its trigger segment followed by its segments and",
        "// child loops in any order; order, usage and repeat counts are checked by the validator.",
        "// UNPLACED stands for a segment this guide does not place where it stands.",
        "",
    ]

    def emit(head: str, alts: list[tuple[str, str]], tail: str) -> None:
        width = max([len(a) for a, _ in alts] + [len("UNPLACED")])
        for i, (alt, note) in enumerate(alts):
            lead = f"{head} (" if i == 0 else "    | "
            lines.append(f"{lead}{alt.ljust(width)}  // {note}")
        lines.append(f"    | UNPLACED){tail}" if alts else f"{head} UNPLACED{tail}")

    emit("start: ST", _alternatives(body, skip_first=True), "* SE")
    for loop in loops.values():
        trigger = loop["items"][0]
        tokens.update(trigger["tokens"])
        for item in _all_segments(loop):
            tokens.update(item["tokens"])
        head = " | ".join(trigger["tokens"])
        if len(trigger["tokens"]) > 1:
            head = f"({head})"
        lines += ["", f"// {loop['id']} {loop['name']} ({loop['usage']}, repeat {loop['repeat'] or '>1'})"]
        emit(f"{rule_name(loop['id'])}: {head}", _alternatives(loop, skip_first=True), "*")
    for item in body["items"]:
        if "items" not in item:
            tokens.update(item["tokens"])
    lines += ["", "%declare " + " ".join(sorted(tokens)), ""]
    return "\n".join(lines)


def build_spec(
    guide: str,
    version: str,
    st01: str,
    gs01: str,
    title: str,
    body: dict[str, Any],
    qualifiers: dict[str, list[int | None]],
) -> dict[str, Any]:
    return {
        "guide": guide,
        "version": version,
        "st01": st01,
        "gs01": gs01,
        "title": title,
        "qualifiers": qualifiers,
        "transaction": body,
    }


def load_dataele(maps: Path) -> dict[str, dict[str, Any]]:
    root = ET.parse(maps / "dataele.xml").getroot()
    return {e.get("ele_num", ""): dict(e.attrib) for e in root}


def dental_from_professional(body: dict[str, Any], dataele: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Derive the 837D (X224A2) body from the 837P one: see DENTAL_PATCH."""
    dental = copy.deepcopy(body)
    for loop_id, changes in DENTAL_PATCH.items():
        for loop in [loop for loop in _all_loops(dental) if loop["id"] == loop_id]:
            keep = changes.get("keep")
            if keep is not None:
                loop["items"] = [
                    i
                    for i in loop["items"]
                    if ("items" in i and i["id"] in keep) or ("items" not in i and _kept(_seg_key(i), keep))
                ]
            for seg in changes.get("add", []):
                loop["items"].insert(seg.get("at", len(loop["items"])), _dental_segment(seg, dataele))
            renames = changes.get("rename", {})
            for item in loop["items"]:
                if "items" in item and item["id"] in renames:
                    item["id"] = renames[item["id"]]
            for new_id, (source, code, name) in changes.get("clone", {}).items():
                original = next(i for i in loop["items"] if "items" in i and i["id"] == source)
                twin = copy.deepcopy(original)
                twin.update(id=new_id, name=name)
                twin["items"][0]["elements"][0]["codes"] = [code]
                loop["items"].append(twin)
            segments = [i for i in loop["items"] if "items" not in i]
            children = sorted((i for i in loop["items"] if "items" in i), key=lambda i: str(i["id"]))
            loop["items"] = segments + children
    return dental


def _all_loops(loop: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for item in loop["items"]:
        if "items" in item:
            found.append(item)
            found.extend(_all_loops(item))
    return found


def _seg_key(seg: dict[str, Any]) -> str:
    codes = _qualifier_codes(seg, (0, None)) or _qualifier_codes(seg, (0, 0))
    return seg["id"] + ("*" + "/".join(codes) if codes else "")


def _kept(key: str, keep: set[str]) -> bool:
    return any(key == k or key.startswith(k + "*") or key.startswith(k + "/") for k in keep)


def _dental_segment(seg: dict[str, Any], dataele: dict[str, dict[str, Any]]) -> dict[str, Any]:
    elements = []
    for ref, name, ele, usage, codes, comps in seg["elements"]:
        el: dict[str, Any] = {"ref": ref, "name": name, "usage": usage, "data_ele": ele}
        if comps:
            el["components"] = [
                {
                    "ref": f"{ref}-{i + 1:02d}",
                    "name": cname,
                    "usage": cusage,
                    "data_ele": cele,
                    **_format(dataele, cele),
                    **({"codes": ccodes} if ccodes else {}),
                }
                for i, (cname, cele, cusage, ccodes) in enumerate(comps)
            ]
        else:
            el.update(_format(dataele, ele))
            if codes:
                el["codes"] = codes
        elements.append(el)
    return {
        "id": seg["id"],
        "name": seg["name"],
        "usage": seg["usage"],
        "max_use": seg["max_use"],
        "pos": seg.get("pos", 0),
        "syntax": [],
        "elements": elements,
    }


def _format(dataele: dict[str, dict[str, Any]], ele: str) -> dict[str, Any]:
    info = dataele.get(ele)
    if not info:
        return {}
    return {"type": info["data_type"], "min": int(info["min_len"]), "max": int(info["max_len"])}


# The 837D differences from 837P (x12-reference.md section 2.2, checked against the TR3
# example transactions): no PAT in 2000B, dental dates and DN1/DN2 in 2300, SV3 and TOO in
# 2400, and the 2310/2420 provider loops of the dental guide.
_CDT_COMPOSITE = [
    ("Product or Service ID Qualifier", "235", "R", ["AD"]),
    ("Procedure Code", "234", "R", None),
    ("Procedure Modifier", "1339", "S", None),
    ("Procedure Modifier", "1339", "S", None),
    ("Procedure Modifier", "1339", "S", None),
    ("Procedure Modifier", "1339", "S", None),
    ("Description", "352", "S", None),
]
_ORAL_CAVITY = [
    (
        "Oral Cavity Designation Code",
        "1361",
        "R" if i == 0 else "S",
        ["00", "01", "02", "09", "10", "20", "30", "40", "L", "R"],
    )
    for i in range(5)
]
_POINTERS = [("Diagnosis Code Pointer", "1328", "R" if i == 0 else "S", None) for i in range(4)]
_SURFACES = [
    ("Tooth Surface Code", "1369", "R" if i == 0 else "S", ["B", "D", "F", "I", "L", "M", "O"]) for i in range(5)
]
DENTAL_PATCH: dict[str, dict[str, Any]] = {
    "2000B": {"keep": {"HL", "SBR*A/B/C/D/E/F/G/H/P/S/T/U", "2010BA", "2010BB", "2300", "2000C"}},
    "2300": {
        "keep": {
            "CLM",
            "DTP*439",
            "DTP*050",
            "PWK",
            "CN1",
            "AMT*F5",
            "REF*G3",
            "REF*9F",
            "REF*G1",
            "REF*F8",
            "REF*9A",
            "REF*9C",
            "REF*D9",
            "REF*P4",
            "REF*EA",
            "K3",
            "NTE",
            "HI*ABK",
            "HCP",
            "2310A",
            "2310B",
            "2310C",
            "2310D",
            "2320",
            "2400",
        },
        "clone": {"2310D": ("2310B", "DD", "Assistant Surgeon Name")},
        "rename": {"2310D": "2310E"},
        "add": [
            {
                "id": "DTP",
                "name": "Date - Appliance Placement",
                "usage": "S",
                "max_use": 5,
                "at": 2,
                "elements": [
                    ("DTP01", "Date/Time Qualifier", "374", "R", ["452"], None),
                    ("DTP02", "Date Time Period Format Qualifier", "1250", "R", ["D8"], None),
                    ("DTP03", "Appliance Placement Date", "1251", "R", None, None),
                ],
            },
            {
                "id": "DTP",
                "name": "Date - Service",
                "usage": "S",
                "max_use": 1,
                "at": 2,
                "elements": [
                    ("DTP01", "Date/Time Qualifier", "374", "R", ["472"], None),
                    ("DTP02", "Date Time Period Format Qualifier", "1250", "R", ["D8", "RD8"], None),
                    ("DTP03", "Service Date", "1251", "R", None, None),
                ],
            },
            {
                "id": "DN1",
                "name": "Orthodontic Total Months of Treatment",
                "usage": "S",
                "max_use": 1,
                "at": 4,
                "elements": [
                    ("DN101", "Orthodontic Treatment Months Count", "380", "S", None, None),
                    ("DN102", "Orthodontic Treatment Months Remaining Count", "380", "S", None, None),
                    ("DN103", "Yes/No Condition or Response Code", "1073", "S", ["Y", "N"], None),
                    ("DN104", "Claim Submission Reason Code", "352", "S", None, None),
                ],
            },
            {
                "id": "DN2",
                "name": "Tooth Status",
                "usage": "S",
                "max_use": 35,
                "at": 5,
                "elements": [
                    ("DN201", "Tooth Number", "127", "R", None, None),
                    ("DN202", "Tooth Status Code", "1368", "R", ["E", "M"], None),
                    ("DN203", "Quantity", "380", "N", None, None),
                    ("DN204", "Date Time Period Format Qualifier", "1250", "N", None, None),
                    ("DN205", "Date Time Period", "1251", "N", None, None),
                    ("DN206", "Code List Qualifier Code", "1270", "S", ["JP"], None),
                ],
            },
        ],
    },
    "2400": {
        "keep": {
            "LX",
            "PWK",
            "REF*G3",
            "REF*G1",
            "REF*9F",
            "REF*6R",
            "AMT*T",
            "NTE*ADD",
            "HCP",
            "2420A",
            "2420C",
            "2420D",
            "2430",
        },
        "rename": {"2420C": "2420D", "2420D": "2420C"},
        "clone": {"2420B": ("2420A", "DD", "Assistant Surgeon Name")},
        "add": [
            {
                "id": "SV3",
                "name": "Dental Service",
                "usage": "R",
                "max_use": 1,
                "at": 1,
                "elements": [
                    ("SV301", "Composite Medical Procedure Identifier", "C003", "R", None, _CDT_COMPOSITE),
                    ("SV302", "Line Item Charge Amount", "782", "R", None, None),
                    ("SV303", "Place of Service Code", "1331", "S", None, None),
                    ("SV304", "Oral Cavity Designation", "C006", "S", None, _ORAL_CAVITY),
                    ("SV305", "Prosthesis, Crown, or Inlay Code", "1358", "S", ["I", "R"], None),
                    ("SV306", "Procedure Count", "380", "R", None, None),
                    ("SV307", "Description", "352", "N", None, None),
                    ("SV308", "Copay Status Code", "1327", "N", None, None),
                    ("SV309", "Provider Agreement Code", "1331", "N", None, None),
                    ("SV310", "Yes/No Condition or Response Code", "1073", "N", None, None),
                    ("SV311", "Composite Diagnosis Code Pointer", "C004", "S", None, _POINTERS),
                ],
            },
            {
                "id": "TOO",
                "name": "Tooth Information",
                "usage": "S",
                "max_use": 32,
                "at": 2,
                "elements": [
                    ("TOO01", "Code List Qualifier Code", "1270", "R", ["JP"], None),
                    ("TOO02", "Tooth Number", "1271", "R", None, None),
                    ("TOO03", "Tooth Surface", "C005", "S", None, _SURFACES),
                ],
            },
            {
                "id": "DTP",
                "name": "Date - Service",
                "usage": "S",
                "max_use": 1,
                "at": 3,
                "elements": [
                    ("DTP01", "Date/Time Qualifier", "374", "R", ["472"], None),
                    ("DTP02", "Date Time Period Format Qualifier", "1250", "R", ["D8", "RD8"], None),
                    ("DTP03", "Service Date", "1251", "R", None, None),
                ],
            },
            {
                "id": "DTP",
                "name": "Date - Prior Placement",
                "usage": "S",
                "max_use": 2,
                "at": 4,
                "elements": [
                    ("DTP01", "Date/Time Qualifier", "374", "R", ["441", "452", "446", "196", "198"], None),
                    ("DTP02", "Date Time Period Format Qualifier", "1250", "R", ["D8"], None),
                    ("DTP03", "Date", "1251", "R", None, None),
                ],
            },
        ],
    },
}


def main(maps_dir: str, root: Path | None = None) -> None:
    """Write the grammars and guide specs under ``root`` (the project, by default)."""
    maps = Path(maps_dir)
    root = root or Path(__file__).resolve().parents[1]
    dataele = load_dataele(maps)
    specs: dict[str, tuple[dict[str, Any], str, str, str, str]] = {}
    for guide, (file, version, st01, gs01, title) in GUIDES.items():
        top = _loop(ET.parse(maps / file).getroot().find("loop"), dataele)  # type: ignore[arg-type]
        specs[guide] = (_find_st_loop(top), version, st01, gs01, title)
    pro = specs["837P"][0]
    specs["837D"] = (dental_from_professional(pro, dataele), "005010X224A2", "837", "HC", "Health Care Claim: Dental")
    for guide, (body, version, st01, gs01, title) in specs.items():
        body["items"] = [i for i in body["items"] if i.get("id") not in ENVELOPE]
        qualifiers = choose_qualifiers(body)
        assign_tokens(body, qualifiers)
        (root / "grammars" / f"{guide}.lark").write_text(render_grammar(guide, version, title, body))
        spec = build_spec(guide, version, st01, gs01, title, body, qualifiers)
        (root / "edi" / "guides" / "data" / f"{guide}.json").write_text(json.dumps(spec, separators=(",", ":")))
    shutil.copy(maps / "LICENSE-pyx12.txt", root / "edi" / "guides" / "data" / "LICENSE-pyx12.txt")
    codes = ET.parse(maps / "codes.xml").getroot()
    external = {
        _text(cs, "id"): sorted({c.text.strip() for c in cs.iter("code") if c.text}) for cs in codes.findall("codeset")
    }
    (root / "edi" / "guides" / "data" / "codes.json").write_text(json.dumps(external, separators=(",", ":")))
    print("wrote", ", ".join(specs))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/reference-data/pyx12-maps")
