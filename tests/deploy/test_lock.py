"""The dependency locks: bin/setup-env installs only from them, with hashes required,
and each covers every direct dependency pyproject.toml declares for its use."""

import re
import shlex
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
LOCKS = {"": "lock.txt", "test": "lock-test.txt", "bench": "lock-bench.txt"}


def locked(name):
    """{package: (version, [hashes])} of a lock file."""
    text = (ROOT / "requirements" / name).read_text()
    entries = {}
    for block in re.split(r"\n(?=\S)", text):
        line = block.replace("\\\n", " ")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        requirement = line.split()[0]
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", requirement)
        assert match, f"{name}: {requirement!r} is not pinned with =="
        hashes = re.findall(r"--hash=sha256:([0-9a-f]{64})", line)
        entries[canonicalize_name(match.group(1))] = (Version(match.group(2)), hashes)
    return entries


def declared(*extras):
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project["optional-dependencies"][extra]
    return [Requirement(r) for r in requirements]


def test_setup_env_installs_each_use_from_its_lock_with_hashes_required():
    script = (ROOT / "bin" / "setup-env").read_text()
    installs = [shlex.split(line) for line in script.splitlines() if "pip install" in line and not line.startswith("#")]
    assert len(installs) == 1, installs  # nothing installed beside the lock (no `-e .`, no unpinned upgrade)
    install = installs[0]
    assert "--require-hashes" in install and install[install.index("-r") + 1] == "$LOCK"
    for mode, lock in LOCKS.items():
        case = re.escape(mode) if mode else r"\*"
        assert re.search(case + r"\) LOCK=requirements/" + re.escape(lock), script), (mode, lock)


@pytest.mark.parametrize("lock, extras", [("lock.txt", ()), ("lock-test.txt", ("test",)),
                                          ("lock-bench.txt", ("test", "bench"))])
def test_the_lock_covers_every_declared_dependency_with_hashes(lock, extras):
    entries = locked(lock)
    for requirement in declared(*extras):
        name = canonicalize_name(requirement.name)
        assert name in entries, f"{lock} lacks {requirement}"
        version, _ = entries[name]
        assert requirement.specifier.contains(version, prereleases=True), f"{lock}: {name}=={version} vs {requirement}"
    for name, (_, hashes) in entries.items():
        assert hashes, f"{lock}: {name} has no hash"


def test_the_locks_agree_and_carry_whitenoise_6():
    runtime, test = locked("lock.txt"), locked("lock-test.txt")
    for name, (version, _) in runtime.items():
        assert test[name][0] == version, f"{name}: {version} in lock.txt, {test[name][0]} in lock-test.txt"
    assert runtime["whitenoise"][0].major == 6
