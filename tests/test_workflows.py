"""The CI files: valid against the GitHub Actions and GitLab CI schemas (check-jsonschema's
offline copies), and their citycat commands, run as written, in a real clone with a pull request."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import CASES, ROOT, assemble, missing

BIN = Path(sys.executable).parent
WORKFLOW = ROOT / ".github" / "workflows" / "catalogue.yml"
GITLAB = ROOT / ".gitlab-ci.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"


def check_jsonschema(builtin: str, path: Path) -> subprocess.CompletedProcess:
    tool = BIN / "check-jsonschema"
    if not tool.exists():
        missing("check-jsonschema is not installed (pip install -e '.[test]')")
    return subprocess.run([str(tool), "--builtin-schema", builtin, str(path)], capture_output=True, text=True)


def test_the_github_workflow_is_valid():
    done = check_jsonschema("vendor.github-workflows", WORKFLOW)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_gitlab_pipeline_is_valid():
    done = check_jsonschema("vendor.gitlab-ci", GITLAB)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_broken_workflow_is_caught_by_the_schema(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(
        WORKFLOW.read_text("utf-8").replace("runs-on: ubuntu-latest", "runs_on: ubuntu-latest", 1)
    )
    assert check_jsonschema("vendor.github-workflows", broken).returncode == 1


def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text("utf-8"))


def run_lines(steps: list[dict]) -> list[str]:
    return [s["run"] for s in steps if "run" in s and s["run"].startswith("citycat ")]


def test_the_jobs_run_on_the_right_events():
    doc = workflow()
    events = doc[True] if True in doc else doc["on"]  # PyYAML reads the key "on" as true
    assert set(events) == {"pull_request", "push", "schedule", "workflow_dispatch"}
    jobs = doc["jobs"]
    assert jobs["check"]["if"] == "github.event_name == 'pull_request'"
    assert jobs["deploy"]["if"] == "github.event_name == 'push'"
    assert jobs["deploy"]["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    uses = [s.get("uses", "") for s in jobs["deploy"]["steps"]]
    assert "actions/upload-pages-artifact@v3" in uses and "actions/deploy-pages@v4" in uses
    upload = next(s for s in jobs["deploy"]["steps"] if s.get("uses", "").startswith("actions/upload-pages"))
    assert f"--out {upload['with']['path']}" in " ".join(run_lines(jobs["deploy"]["steps"]))
    assert jobs["links"]["permissions"] == {"contents": "write"}
    assert "git add catalogue/link-status.json" in jobs["links"]["steps"][-1]["run"]
    checkout = jobs["check"]["steps"][0]
    assert checkout["with"]["fetch-depth"] == 0  # the base branch must be there to compare


def citycat_help(command: str) -> int:
    return subprocess.run([str(BIN / "citycat"), command, "--help"], capture_output=True).returncode


def test_every_command_the_ci_files_and_hooks_name_exists():
    lines = [line for job in workflow()["jobs"].values() for line in run_lines(job["steps"])]
    gitlab = yaml.safe_load(GITLAB.read_text("utf-8"))
    lines += [line for job in gitlab.values() if isinstance(job, dict) for line in job.get("script", [])]
    hooks = yaml.safe_load(HOOKS.read_text("utf-8"))
    assert {h["id"] for h in hooks} == {"citycat-validate", "citycat-fmt", "citycat-schema"}
    for hook in hooks:
        assert hook["language"] == "python" and hook["pass_filenames"] is False
        lines.append(hook["entry"])
    commands = {shlex.split(line)[1] for line in lines if line.startswith("citycat ")}
    assert {"validate", "fmt", "schema", "build", "summary", "check-links"} <= commands
    for command in sorted(commands):
        if command == "check-links" and citycat_help(command) != 0:
            continue  # issue 6 (the link checker) adds it
        assert citycat_help(command) == 0, command


# --- the commands, run as written ---------------------------------------------------------------


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(cwd), *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def pull_request(tmp_path: Path) -> Path:
    """A catalogue repository on GitHub (upstream, branch main) and a clone with a branch."""
    upstream = assemble(tmp_path / "upstream", CASES / "good")
    subprocess.run([str(BIN / "citycat"), "schema", "-C", str(upstream)], check=True, capture_output=True)
    (upstream / ".gitignore").write_text(".citycat-cache/\npublic/\n")
    git(upstream, "init", "-q", "-b", "main")
    git(upstream, "-c", "user.name=t", "-c", "user.email=t@example.org", "add", ".")
    git(upstream, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "start")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(upstream), str(clone)], check=True)
    git(clone, "checkout", "-q", "-b", "them-wifi")
    return clone


def run_step(line: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    full = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "PYTHONUTF8": "1", **env}
    return subprocess.run(["bash", "-e", "-c", line], cwd=cwd, env=full, capture_output=True, text=True)


NEW = [
    "citycat new --no-input --today 2026-11-28 --title-vi 'Danh sách điểm wifi công cộng'",
    "--title-en 'Public wifi hotspots' --agency so-y-te --contact-email wifi@hanoi.gov.vn --themes y-te",
    "--description-vi 'Vị trí các điểm phát wifi công cộng miễn phí do Thành phố lắp đặt ở phố đi bộ, công viên.'",
    "--access open --frequency quarterly --format CSV --url https://dulieu.hanoi.gov.vn/files/wifi.csv",
]


def test_a_good_pull_request_passes_every_step(pull_request, tmp_path):
    assert run_step(" ".join(NEW), pull_request, {}).returncode == 0
    summary = tmp_path / "step-summary.md"
    env = {"BASE": "origin/main", "GITHUB_STEP_SUMMARY": str(summary)}
    for line in run_lines(workflow()["jobs"]["check"]["steps"]):
        done = run_step(line, pull_request, env)
        assert done.returncode == 0, (line, done.stdout, done.stderr)
    assert (pull_request / "public" / "index.html").is_file()
    md = summary.read_text("utf-8")
    assert md.startswith("## Danh mục dữ liệu — kiểm tra thay đổi\n\n✅")
    assert "| ➕ thêm | `danh-sach-diem-wifi-cong-cong` |" in md


def test_a_broken_pull_request_is_annotated_and_summarised(pull_request, tmp_path):
    path = pull_request / "datasets.yaml"
    path.write_text(
        path.read_text("utf-8").replace(
            "    agency: so-nong-nghiep-va-moi-truong\n", "    agency: so-nong-nghiep-va-moi-truon\n"
        )
    )
    summary = tmp_path / "step-summary.md"
    env = {"BASE": "origin/main", "GITHUB_STEP_SUMMARY": str(summary)}
    steps = dict(
        zip(
            ["validate", "fmt", "schema", "build", "summary"],
            run_lines(workflow()["jobs"]["check"]["steps"]),
            strict=True,
        )
    )
    validate = run_step(steps["validate"], pull_request, env)
    assert validate.returncode == 1
    annotation = next(line for line in validate.stdout.splitlines() if line.startswith("::error"))
    line_no = path.read_text("utf-8").split("\n").index("    agency: so-nong-nghiep-va-moi-truon") + 1
    assert annotation.startswith(
        f"::error file=datasets.yaml,line={line_no},col=13,title=reference-missing bang-gia-dat::"
    )
    assert "catalogue/agencies.yaml (so-nong-nghiep-va-moi-truong?)" in annotation  # the closest id
    assert run_step(steps["build"], pull_request, env).returncode == 1  # a build refuses errors
    assert run_step(steps["summary"], pull_request, env).returncode == 0  # it runs `if: always()`
    md = summary.read_text("utf-8")
    assert "❌ Có lỗi cần sửa trước khi duyệt." in md and "`reference-missing`" in md


def test_the_gitlab_merge_request_job(pull_request):
    assert run_step(" ".join(NEW), pull_request, {}).returncode == 0
    job = yaml.safe_load(GITLAB.read_text("utf-8"))["check"]
    env = {"CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main"}
    env["BASE"] = job["variables"]["BASE"].replace("$CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main")
    for line in job["script"]:
        done = run_step(line, pull_request, env)
        assert done.returncode == 0, (line, done.stdout, done.stderr)
    assert "danh-sach-diem-wifi-cong-cong" in (pull_request / "summary.md").read_text("utf-8")
    assert (pull_request / "public" / "index.html").is_file()
    pages = yaml.safe_load(GITLAB.read_text("utf-8"))["pages"]
    assert pages["artifacts"]["paths"] == ["public"] and "citycat build --out public" in pages["script"]
