#!/usr/bin/env python3
"""Fails when a restored NuGet package is not under an allowed (permissive) licence.

Reads every obj/project.assets.json under the repository (or the files given with --assets), takes each package
library in it, reads the licence from that package's .nuspec in the NuGet package folder named by the assets file,
and checks it:

- <license type="expression">: an SPDX expression; OR needs one allowed side, AND needs both, "X WITH exception"
  counts as X.
- <licenseUrl> only (older packages): allowed when it is a licenses.nuget.org address of an allowed expression, or
  one of KNOWN_URLS below (each checked by hand: the text at that address is the licence named).
- <license type="file"> or nothing at all: not allowed unless the package is in KNOWN_PACKAGES (checked by hand).

Prints one line per offending package ("id version: licence (project)") and exits 1; prints a one-line summary and
exits 0 when every package is allowed. No assets file at all is an error (nothing restored means nothing checked).
"""
import argparse
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

# Permissive licences a company can ship without opening its own code. MPL, LGPL, GPL and AGPL are not here: the
# first are weak copyleft (acceptable in some places, but a decision to make per package), the last are copyleft.
ALLOWED = {"Apache-2.0", "MIT", "BSD-2-Clause", "BSD-3-Clause", "PostgreSQL", "MS-PL", "0BSD", "ISC"}

# Licence addresses of packages that predate licence expressions, and the licence their text is.
KNOWN_URLS = {
    "https://github.com/dotnet/corefx/blob/master/LICENSE.TXT": "MIT",
    "https://github.com/dotnet/runtime/blob/main/LICENSE.TXT": "MIT",
    "https://github.com/dotnet/standard/blob/master/LICENSE.TXT": "MIT",
    "https://raw.githubusercontent.com/xunit/xunit/master/license.txt": "Apache-2.0",
    "http://www.apache.org/licenses/LICENSE-2.0": "Apache-2.0",
    "https://www.apache.org/licenses/LICENSE-2.0": "Apache-2.0",
}

# Packages whose licence is a file inside the package, read by hand: id (lower case) -> licence of that file.
KNOWN_PACKAGES: dict[str, str] = {
    # LICENSE in the package: the Apache License 2.0 text, unchanged (checked for 53.1.0).
    "stripe.net": "Apache-2.0",
}

NUGET_LICENSE_URL = re.compile(r"^https?://licenses\.nuget\.org/(?P<expr>.+)$")


def tokens(expression):
    return re.findall(r"\(|\)|[^\s()]+", expression)


def allowed_expression(expression):
    """True when the SPDX expression can be satisfied with allowed licences only."""
    toks = tokens(expression)
    pos = 0

    def parse_chain(operator, parse_operand, combine):
        nonlocal pos
        ok = parse_operand()
        while pos < len(toks) and toks[pos].upper() == operator:
            pos += 1
            ok = combine(ok, parse_operand())
        return ok

    # OR binds looser than AND (SPDX); every operand is parsed even when the result is already known.
    def parse_or():
        return parse_chain("OR", parse_and, lambda a, b: a or b)

    def parse_and():
        return parse_chain("AND", parse_term, lambda a, b: a and b)

    def parse_term():
        nonlocal pos
        if pos >= len(toks):
            raise ValueError("expression ends early")
        tok = toks[pos]
        pos += 1
        if tok == "(":
            ok = parse_or()
            if pos >= len(toks) or toks[pos] != ")":
                raise ValueError("missing )")
            pos += 1
        else:
            ok = tok.rstrip("+") in ALLOWED
        if pos < len(toks) and toks[pos].upper() == "WITH":
            pos += 2
        return ok

    try:
        ok = parse_or()
        return ok and pos == len(toks)
    except ValueError:
        return False


def nuspec_licence(nuspec_path):
    """(kind, value) of the nuspec's licence: ('expression', 'MIT'), ('url', ...), ('file', ...) or ('none', '')."""
    root = ET.parse(nuspec_path).getroot()
    metadata = next((e for e in root if e.tag.endswith("metadata")), None)
    if metadata is None:
        return "none", ""
    licence = next((e for e in metadata if e.tag.endswith("}license") or e.tag == "license"), None)
    if licence is not None and (licence.text or "").strip():
        return licence.get("type", "expression"), licence.text.strip()
    url = next((e for e in metadata if e.tag.endswith("licenseUrl")), None)
    if url is not None and (url.text or "").strip():
        return "url", url.text.strip()
    return "none", ""


def verdict(package_id, kind, value):
    """(allowed, description) for one package's licence."""
    known = KNOWN_PACKAGES.get(package_id.lower())
    if known:
        return True, f"{known} (checked by hand)"
    if kind == "expression":
        return allowed_expression(value), value
    if kind == "url":
        m = NUGET_LICENSE_URL.match(value)
        if m:
            return allowed_expression(m.group("expr")), m.group("expr")
        if value in KNOWN_URLS:
            return True, KNOWN_URLS[value]
        return False, f"licence at {value} (not a known address)"
    if kind == "file":
        return False, f"licence file {value} (not checked by hand)"
    return False, "no licence stated"


def check_assets(assets_path):
    """Yields (package_id, version, allowed, description) for every package library of one assets file."""
    with open(assets_path, encoding="utf-8-sig") as f:
        assets = json.load(f)
    folders = list((assets.get("packageFolders") or {}).keys())
    for key, library in (assets.get("libraries") or {}).items():
        if library.get("type") != "package":
            continue
        package_id, version = key.split("/", 1)
        nuspec_name = next((n for n in library.get("files", []) if n.lower().endswith(".nuspec")), package_id.lower() + ".nuspec")
        nuspec = None
        for folder in folders:
            candidate = os.path.join(folder, library.get("path", f"{package_id.lower()}/{version.lower()}"), nuspec_name)
            if os.path.isfile(candidate):
                nuspec = candidate
                break
        if nuspec is None:
            yield package_id, version, False, "package not found in the NuGet package folder (restore first)"
            continue
        allowed, description = verdict(package_id, *nuspec_licence(nuspec))
        yield package_id, version, allowed, description


def find_assets(root):
    skip = {".git", ".local", "bin", "node_modules"}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in skip]
        if os.path.basename(dirpath) == "obj" and "project.assets.json" in filenames:
            yield os.path.join(dirpath, "project.assets.json")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."),
                        help="repository to scan for obj/project.assets.json (default: this repository)")
    parser.add_argument("--assets", nargs="*", help="check these assets files instead of scanning --root")
    args = parser.parse_args(argv)

    assets_files = args.assets if args.assets else sorted(find_assets(os.path.abspath(args.root)))
    if not assets_files:
        print("licences: no obj/project.assets.json found: restore the solution first")
        return 1

    checked = {}
    offending = {}
    for assets_path in assets_files:
        project = os.path.basename(os.path.dirname(os.path.dirname(os.path.abspath(assets_path))))
        for package_id, version, allowed, description in check_assets(assets_path):
            key = (package_id, version)
            checked[key] = description
            if not allowed:
                offending.setdefault(key, (description, []))[1].append(project)

    for (package_id, version), (description, projects) in sorted(offending.items()):
        print(f"licences: {package_id} {version}: {description} (used by {', '.join(sorted(set(projects)))})")
    if offending:
        print(f"licences: {len(offending)} of {len(checked)} packages are not under an allowed licence "
              f"({', '.join(sorted(ALLOWED))})")
        return 1
    print(f"licences: {len(checked)} packages in {len(assets_files)} projects, all under allowed licences")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
