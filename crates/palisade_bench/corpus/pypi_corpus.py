#!/usr/bin/env python3
"""Benign PyPI evaluation sets: build the `name==version` lists, and fetch them.

    pypi_corpus.py lists TSV          rebuild pypi-benign-popular.txt and pypi-benign-mcp.txt
    pypi_corpus.py fetch [LIST] [DIR]  download one artifact per line into a cache folder

The index comes from the user's configuration, as pip finds it: `PIP_INDEX_URL`,
`UV_INDEX_URL`, `pip config get global.index-url`, else pip's own built-in default
(read from the installed pip, so no host is written here). The JSON API base is the
simple base with its trailing `/simple` replaced by `/pypi`, as pip mirrors do.

Nothing is installed or built: files are downloaded with urllib, checked against the
sha256 the index gives, and written whole (never unpacked). Never use `pip download`
for sdists: it runs the package's build backend.

Which file: the sdist when there is one (it carries setup.py and the build config, the
code that runs at install), else a pure-Python wheel (`*-none-any.whl`), else the
smallest wheel. Files over 256 MiB (palisade's archive limit) are skipped.
"""

import hashlib
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
LISTS = ("pypi-benign-popular.txt", "pypi-benign-mcp.txt")
MAX_BYTES = 256 * 1024 * 1024
MAX_JSON_BYTES = 64 * 1024 * 1024
USER_AGENT = "palisade-corpus-fetch"
SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"


def index_simple_url():
    """The simple API base from the environment, pip's config, or pip's default."""
    for var in ("PIP_INDEX_URL", "UV_INDEX_URL"):
        if os.environ.get(var):
            return os.environ[var].rstrip("/")
    try:
        out = subprocess.run(
            [sys.executable, "-m", "pip", "config", "get", "global.index-url"],
            capture_output=True, text=True, timeout=60,
        )
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip().rstrip("/")
    except (OSError, subprocess.TimeoutExpired):
        pass
    try:
        from pip._internal.models.index import PyPI  # pip's built-in default index

        return PyPI.simple_url.rstrip("/")
    except ImportError:
        sys.exit("no package index configured: set PIP_INDEX_URL or index-url in pip.conf")


def json_api_base(simple):
    if simple.endswith("/simple"):
        return simple[: -len("/simple")] + "/pypi"
    sys.exit(f"index {simple} does not end in /simple: cannot derive its JSON API")


def get(url, limit, tries=3):
    last = None
    for attempt in range(tries):
        try:
            req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
            with urllib.request.urlopen(req, timeout=120) as resp:
                data = resp.read(limit + 1)
                if len(data) > limit:
                    raise ValueError(f"{url}: more than {limit} bytes")
                return data
        except urllib.error.HTTPError as err:
            if err.code == 404:
                return None
            last = err
        except (urllib.error.URLError, TimeoutError, ConnectionError) as err:
            last = err
        time.sleep(1 + attempt * 2)
    raise RuntimeError(f"{url}: {last}")


def project_json(api, name):
    """`/pypi/<name>/json`: the project's latest release (`info.version`)."""
    data = get(f"{api}/{urllib.parse.quote(norm(name))}/json", MAX_JSON_BYTES)
    return json.loads(data) if data else None


def simple_files(simple, name):
    """The project's files from the simple API (PEP 691 JSON): name, url, hashes..."""
    url = f"{simple}/{urllib.parse.quote(norm(name))}/"
    last = None
    for attempt in range(3):
        try:
            req = urllib.request.Request(
                url, headers={"User-Agent": USER_AGENT, "Accept": SIMPLE_JSON}
            )
            with urllib.request.urlopen(req, timeout=120) as resp:
                data = resp.read(MAX_JSON_BYTES + 1)
            if len(data) > MAX_JSON_BYTES:
                raise ValueError(f"{url}: more than {MAX_JSON_BYTES} bytes")
            return json.loads(data).get("files", [])
        except urllib.error.HTTPError as err:
            if err.code == 404:
                return []
            last = err
        except (urllib.error.URLError, TimeoutError, ConnectionError) as err:
            last = err
        time.sleep(1 + attempt * 2)
    raise RuntimeError(f"{url}: {last}")


def file_version(name, filename):
    """The version in a wheel or sdist file name, or None."""
    if filename.endswith(".whl"):
        parts = filename[:-4].split("-")
        return parts[1] if len(parts) >= 5 else None
    for ext in (".tar.gz", ".zip", ".tar.bz2", ".tgz"):
        if filename.endswith(ext):
            stem = filename[: -len(ext)]
            prefix = norm(name)
            # sdist names are `name-version`; older ones keep the project's own spelling.
            if norm(stem).startswith(prefix + "-"):
                return stem[len(prefix) + 1 :]
            return stem.rsplit("-", 1)[1] if "-" in stem else None
    return None


def release_files(simple, name, version):
    return [
        {
            "filename": f["filename"],
            "url": f["url"],
            "sha256": f.get("hashes", {}).get("sha256"),
            "size": f.get("size", 0) or 0,
            "yanked": bool(f.get("yanked")),
            "sdist": not f["filename"].endswith(".whl"),
        }
        for f in simple_files(simple, name)
        if file_version(name, f["filename"]) == version and f.get("hashes", {}).get("sha256")
    ]


def pick_file(urls):
    files = [u for u in urls if not u["yanked"] and u["size"] <= MAX_BYTES]
    sdists = [u for u in files if u["sdist"] and u["filename"].endswith((".tar.gz", ".zip"))]
    if sdists:
        return sdists[0]
    wheels = [u for u in files if u["filename"].endswith(".whl")]
    pure = [u for u in wheels if u["filename"].endswith("-none-any.whl")]
    if pure:
        return pure[0]
    return min(wheels, key=lambda u: u["size"]) if wheels else None


def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def is_mcp(name, summary):
    return (
        "mcp" in re.split(r"[-_.]", name.lower())
        or re.search(r"\bMCP\b", summary) is not None
        or re.search(r"model context protocol", summary, re.I) is not None
    )


def resolve(simple, api, name, version):
    """`name==version` with a downloadable file, or None. Empty version: the latest."""
    if not version:
        doc = project_json(api, name)
        if doc is None:
            return None
        version = doc["info"]["version"]
    if pick_file(release_files(simple, name, version)) is None:
        return None
    return f"{norm(name)}=={version}"


def build_lists(tsv):
    rows = []
    with open(tsv, encoding="utf-8") as f:
        next(f)
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 5:
                rows.append(cols)
    ranked = sorted((r for r in rows if r[3].isdigit()), key=lambda r: int(r[3]))
    mcp_ranked = [r for r in ranked if is_mcp(r[0], r[4])]
    # Below the ranking there is no download figure: fill the MCP list with server
    # packages by name, most recent release month first, then name.
    server_name = re.compile(r"(^mcp-server-|-mcp-server$)")
    mcp_tail = sorted(
        (r for r in rows if not r[3] and r[1] and server_name.search(norm(r[0]))),
        key=lambda r: norm(r[0]),
    )
    mcp_tail.sort(key=lambda r: r[2], reverse=True)  # stable: names stay in order
    simple = index_simple_url()
    api = json_api_base(simple)
    plans = (("pypi-benign-popular.txt", ranked, 300), ("pypi-benign-mcp.txt", mcp_ranked + mcp_tail, 100))
    for file, candidates, want in plans:
        out, taken = [], set()
        for r in candidates:
            if len(out) == want:
                break
            if norm(r[0]) in taken:
                continue
            spec = resolve(simple, api, r[0], r[1])
            if spec is None:
                print(f"skipped (no file for that version): {r[0]} {r[1]}", file=sys.stderr, flush=True)
                continue
            taken.add(norm(r[0]))
            out.append(spec)
        with open(os.path.join(HERE, file), "w", encoding="utf-8") as f:
            f.write("".join(s + "\n" for s in out))
        print(f"{file}: {len(out)} packages", file=sys.stderr)


def fetch(lists, dest):
    simple = index_simple_url()
    for lst in lists:
        name = os.path.splitext(os.path.basename(lst))[0]
        folder = dest or os.path.join(os.path.expanduser("~"), ".cache", "palisade-corpus", name)
        os.makedirs(folder, exist_ok=True)
        specs = [l.strip() for l in open(lst, encoding="utf-8") if l.strip()]
        failed = 0
        for n, spec in enumerate(specs, 1):
            pkg, _, ver = spec.partition("==")
            try:
                chosen = pick_file(release_files(simple, pkg, ver))
                if chosen is None:
                    raise RuntimeError("no downloadable file")
                target = os.path.join(folder, os.path.basename(chosen["filename"]))
                want = chosen["sha256"]
                if os.path.exists(target) and sha256_file(target) == want:
                    continue
                data = get(chosen["url"], MAX_BYTES)
                if data is None or hashlib.sha256(data).hexdigest() != want:
                    raise RuntimeError("sha256 mismatch or missing file")
                tmp = target + ".part"
                with open(tmp, "wb") as f:
                    f.write(data)
                os.replace(tmp, target)
            except Exception as err:  # report and go on with the next package
                failed += 1
                print(f"failed: {spec}: {err}", file=sys.stderr)
            if n % 50 == 0:
                print(f"{name}: {n}/{len(specs)}", file=sys.stderr)
        count = len([f for f in os.listdir(folder) if not f.endswith(".part")])
        print(f"{name}: {count} files in {folder} ({failed} failed)", file=sys.stderr)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def main(argv):
    if len(argv) >= 2 and argv[1] == "lists" and len(argv) == 3:
        build_lists(argv[2])
    elif len(argv) >= 2 and argv[1] == "fetch" and len(argv) <= 4:
        lists = [argv[2]] if len(argv) >= 3 else [os.path.join(HERE, l) for l in LISTS]
        fetch(lists, argv[3] if len(argv) == 4 else None)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
