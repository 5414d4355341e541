"""`schoolgate scan`: the server's scan path on files, printed as JSON Lines."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.processes import SCHOOLGATE, clean_env
from tests.support import REPO, corpus


def run_scan(*args: str, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = clean_env()
    env["PYTHONPATH"] = str(REPO)  # so the scan workers can import tests.plugins
    return subprocess.run(
        [SCHOOLGATE, "scan", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def keyword_config(tmp_path: Path) -> Path:
    path = tmp_path / "scan.toml"
    path.write_text(
        'data_dir = "var"\n[detectors]\nenabled = []\nplugins = ["tests.plugins:KeywordDetector"]\n'
        '[[rules]]\nname = "keyword-quarantine"\ntypes = ["TEST_KEYWORD"]\nkinds = ["quarantine"]\n'
        'action = "quarantine"\nreason = "Test keyword."\n'
    )
    return path


def eml(tmp_path: Path, name: str, body: str, to: str = "parent@example.org") -> Path:
    path = tmp_path / name
    path.write_bytes(
        f"From: T <t@school.example>\r\nTo: {to}\r\nCc: head@school.example\r\n"
        f"Subject: {name}\r\n\r\n{body}\r\n".encode()
    )
    return path


def test_several_files_print_json_lines(tmp_path: Path):
    clean = eml(tmp_path, "clean.eml", "Hello")
    flagged = eml(tmp_path, "flagged.eml", "Hello KEYWORD-QUARANTINE")
    result = run_scan(
        str(clean), str(flagged), "--config", str(keyword_config(tmp_path)), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[0] == {"file": str(clean), "action": "deliver", "rules": [], "findings": []}
    assert lines[1]["file"] == str(flagged)
    assert lines[1]["action"] == "quarantine"
    assert lines[1]["rules"] == ["keyword-quarantine"]
    [finding] = lines[1]["findings"]
    assert finding == {
        "detector": "test_keyword",
        "type": "TEST_KEYWORD",
        "location": "body",
        "score": 1.0,
        "evidence": "KEYWORD-Q****",
        "explanation": "The test keyword for quarantine was found.",
        "kind": "quarantine",
    }


def test_envelope_flags_override_headers(tmp_path: Path):
    """--from/--to replace the envelope taken from From/To/Cc (rules can test recipients)."""
    config = tmp_path / "ext.toml"
    config.write_text(
        'data_dir = "var"\n[detectors]\nenabled = []\nplugins = ["tests.plugins:KeywordDetector"]\n'
        '[[rules]]\nname = "external-only"\ntypes = ["TEST_KEYWORD"]\nrecipients = "external"\n'
        'action = "reject"\nreason = "Not outside school."\n'
    )
    message = eml(tmp_path, "m.eml", "KEYWORD-X", to="colleague@school.example")
    internal = run_scan(str(message), "--config", str(config), cwd=tmp_path)
    external = run_scan(
        str(message),
        "--config",
        str(config),
        "--from",
        "t@school.example",
        "--to",
        "someone@example.org",
        cwd=tmp_path,
    )
    assert json.loads(internal.stdout)["action"] == "deliver"
    assert json.loads(external.stdout)["action"] == "reject"


def test_unreadable_file_exits_2_with_a_clear_message(tmp_path: Path):
    good = eml(tmp_path, "good.eml", "Hello")
    result = run_scan(str(good), str(tmp_path / "missing.eml"), cwd=tmp_path)
    assert result.returncode == 2
    assert f"cannot read {tmp_path / 'missing.eml'}: No such file or directory" in result.stderr
    assert json.loads(result.stdout)["file"] == str(good)  # the readable one is still scanned


def test_every_corpus_mime_message_gets_a_verdict(tmp_path: Path):
    """348 real and malformed messages (nesting bombs, huge headers) in one call."""
    files = sorted(str(p) for p in corpus("mime").rglob("*.eml"))
    assert len(files) > 300
    result = run_scan(*files, cwd=tmp_path, timeout=1200)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["file"] for line in lines] == files
    no_verdict = [line["file"] for line in lines if line["action"] is None]
    assert no_verdict == []
    assert "Traceback" not in result.stderr
