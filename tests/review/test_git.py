"""Reading changes from real throwaway git repositories."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from revu.review._changeset import FileStatus, LineKind
from revu.review._diff import MAX_FILE_BYTES
from revu.review._git import ChangeSourceError, load_changes

from .gitrepo import GitRepo, numbered


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    r = GitRepo(tmp_path / "repo")
    r.write("app.py", "def add(a, b):\n    return a + b\n")
    r.write("README.md", "# demo\n")
    r.commit("initial")
    return r


def test_uncommitted_changes_include_staged_unstaged_and_untracked(repo: GitRepo) -> None:
    repo.write("app.py", "def add(a, b):\n    return a - b\n")
    repo.write("staged.py", "x = 1\n")
    repo.git("add", "staged.py")
    repo.write("notes/new.txt", "hello\n")
    changes = load_changes(repo.root)
    assert changes.description == "uncommitted changes"
    assert [f.path for f in changes.files] == ["app.py", "notes/new.txt", "staged.py"]
    app = changes.file("app.py")
    assert app is not None and app.status is FileStatus.MODIFIED
    assert app.hunks[0].added_lines == (2,)
    assert app.new_lines == ("def add(a, b):", "    return a - b")
    untracked = changes.file("notes/new.txt")
    assert untracked is not None and untracked.status is FileStatus.ADDED
    assert untracked.hunks[0].lines[0].text == "hello"


def test_subdirectory_path_reads_the_whole_repository(repo: GitRepo) -> None:
    repo.write("pkg/mod.py", "a = 1\n")
    changes = load_changes(repo.root / "pkg")
    assert changes.root == repo.root.resolve()
    assert [f.path for f in changes.files] == ["pkg/mod.py"]


def test_clean_feature_branch_is_compared_with_its_merge_base(repo: GitRepo) -> None:
    repo.git("checkout", "-q", "-b", "feature/sub")
    repo.write("app.py", "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n")
    repo.commit("Add sub()\n\nSubtraction, for symmetry.")
    repo.git("checkout", "-q", "main")
    repo.write("README.md", "# demo, moved on\n")
    repo.commit("main moves on")
    repo.git("checkout", "-q", "feature/sub")
    changes = load_changes(repo.root)
    assert changes.branch == "feature/sub"
    assert changes.description.startswith("feature/sub against main (merge base ")
    assert [f.path for f in changes.files] == ["app.py"]  # main's later README change is not ours
    assert changes.commits == ("Add sub()\n\nSubtraction, for symmetry.",)
    app = changes.file("app.py")
    assert app is not None and app.hunks[0].added_lines == (3, 4, 5, 6)


def test_default_branch_comes_from_origin_head(tmp_path: Path) -> None:
    upstream = GitRepo(tmp_path / "upstream", branch="trunk")
    upstream.write("a.py", "a = 1\n")
    upstream.commit("initial")
    clone = tmp_path / "clone"
    upstream.git("clone", "-q", str(upstream.root), str(clone))
    local = GitRepo.__new__(GitRepo)
    local.root = clone
    local.git("checkout", "-q", "-b", "work")
    local.write("a.py", "a = 2\n")
    local.commit("change a")
    changes = load_changes(clone)
    assert "against origin/trunk" in changes.description
    assert [f.path for f in changes.files] == ["a.py"]


def test_clean_default_branch_has_nothing_to_review(repo: GitRepo) -> None:
    changes = load_changes(repo.root)
    assert changes.files == ()
    assert any("no commits beyond main" in n for n in changes.notes)


def test_staged_only_shows_the_index(repo: GitRepo) -> None:
    repo.write("app.py", "def add(a, b):\n    return a * b\n")
    repo.git("add", "app.py")
    repo.write("app.py", "def add(a, b):\n    return a / b\n")  # unstaged on top
    repo.write("untracked.py", "u = 1\n")
    changes = load_changes(repo.root, staged=True)
    assert changes.description == "staged changes"
    (app,) = changes.files
    added = [ln.text for ln in app.hunks[0].lines if ln.kind is LineKind.ADDED]
    assert added == ["    return a * b"]
    assert app.new_lines == ("def add(a, b):", "    return a * b")


def test_base_and_head_refs(repo: GitRepo) -> None:
    first = repo.git("rev-parse", "HEAD").strip()
    repo.write("b.py", "b = 1\n")
    second = repo.commit("add b")
    repo.write("c.py", "c = 1\n")
    repo.commit("add c")
    changes = load_changes(repo.root, base=first, head=second)
    assert [f.path for f in changes.files] == ["b.py"]
    assert changes.commits == ("add b",)
    assert changes.file("b.py").new_lines == ("b = 1",)  # type: ignore[union-attr]
    everything = load_changes(repo.root, base=first)
    assert [f.path for f in everything.files] == ["b.py", "c.py"]


def test_unknown_ref_and_not_a_repository_are_one_line_errors(
    repo: GitRepo, tmp_path: Path
) -> None:
    with pytest.raises(ChangeSourceError, match="unknown ref 'nope'"):
        load_changes(repo.root, base="nope")
    with pytest.raises(ChangeSourceError, match="unknown ref 'missing'"):
        load_changes(repo.root, head="missing")
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(ChangeSourceError, match="not inside a git work tree") as info:
        load_changes(plain)
    assert "\n" not in str(info.value)
    with pytest.raises(ChangeSourceError, match="does not exist"):
        load_changes(tmp_path / "nowhere")


def test_repository_without_commits(tmp_path: Path) -> None:
    r = GitRepo(tmp_path / "fresh")
    r.write("tracked.py", "t = 1\n")
    r.git("add", "tracked.py")
    r.write("loose.py", "l = 1\n")
    changes = load_changes(r.root)
    assert [(f.path, f.status) for f in changes.files] == [
        ("loose.py", FileStatus.ADDED),
        ("tracked.py", FileStatus.ADDED),
    ]
    assert any("no commits yet" in n for n in changes.notes)
    staged = load_changes(r.root, staged=True)
    assert [f.path for f in staged.files] == ["tracked.py"]


def test_awkward_files_are_reported_not_crashed(repo: GitRepo) -> None:
    repo.write("logo.png", b"\x89PNG\x00\x01\x02")
    repo.write("run.sh", "echo hi\n")
    repo.write("old name.py", "value = 1\n")
    repo.write("gone.py", "bye = 1\n")
    repo.write("latin.txt", "cafe\n")
    repo.write("tail.txt", "one\ntwo")
    repo.commit("awkward files")
    repo.write("logo.png", b"\x89PNG\x00\x01\x03")
    (repo.root / "run.sh").chmod(0o755)
    repo.git("mv", "old name.py", "new name.py")
    (repo.root / "gone.py").unlink()
    repo.write("latin.txt", b"caf\xe9\n")
    repo.write("tail.txt", "one\ntwo\nthree")
    repo.write("huge.log", "x" * (MAX_FILE_BYTES + 10))
    changes = load_changes(repo.root)
    by_path = {f.path: f for f in changes.files}
    assert by_path["logo.png"].skip_reason == "binary file"
    assert by_path["run.sh"].skip_reason == "mode change only (100644 → 100755)"
    assert by_path["new name.py"].status is FileStatus.RENAMED
    assert by_path["new name.py"].old_path == "old name.py"
    assert by_path["gone.py"].status is FileStatus.DELETED
    assert by_path["latin.txt"].skip_reason == "not UTF-8 text"
    assert by_path["huge.log"].skip_reason is not None
    assert by_path["huge.log"].skip_reason.startswith("too large")
    tail = by_path["tail.txt"]
    assert tail.skip_reason is None
    assert [ln.text for ln in tail.hunks[0].lines if ln.kind is LineKind.ADDED] == ["two", "three"]
    assert tail.new_lines == ("one", "two", "three")


def test_hunk_context_reaches_the_enclosing_function(repo: GitRepo) -> None:
    body = "".join(f"    step_{i}()\n" for i in range(1, 9))
    repo.write("flow.py", "import os\n\n\ndef run():\n" + body)
    repo.commit("flow")
    repo.write("flow.py", "import os\n\n\ndef run():\n" + body.replace("step_8", "step_eight"))
    (flow,) = load_changes(repo.root).files
    (hunk,) = flow.hunks
    assert hunk.lines[0].text == "def run():" and hunk.lines[0].new_no == 4
    assert hunk.lines[0].kind is LineKind.CONTEXT
    assert hunk.added_lines == (12,)


def test_ignored_files_stay_out(repo: GitRepo) -> None:
    repo.write(".gitignore", "build/\n")
    repo.commit("ignore build")
    repo.write("build/out.js", "x\n")
    assert load_changes(repo.root).files == ()


def test_many_lines_keep_their_numbers(repo: GitRepo) -> None:
    repo.write("long.txt", numbered(300))
    repo.commit("long")
    repo.write("long.txt", numbered(300).replace("line 150\n", "line 150 changed\n"))
    (f,) = load_changes(repo.root).files
    assert f.hunks[0].added_lines == (150,)
    assert f.line_text(150) == "line 150 changed"


def test_file_names_that_are_not_utf8_are_reported(repo: GitRepo) -> None:
    name = os.fsdecode(b"caf\xe9.txt")
    (repo.root / name).write_text("x\n")
    repo.write("tracked.txt", "a\n")
    repo.commit("names")
    (repo.root / name).write_text("y\n")
    (repo.root / os.fsdecode(b"new\xff.txt")).write_text("z\n")
    changes = load_changes(repo.root)
    reasons = {f.path: f.skip_reason for f in changes.files}
    assert reasons == {
        "caf\ufffd.txt": "file name is not UTF-8",
        "new\ufffd.txt": "file name is not UTF-8",
    }
    for f in changes.files:
        f.path.encode("utf-8")  # printable: JSON and terminals can take it
