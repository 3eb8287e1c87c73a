"""Issue 11, defect 12 and atomic saves: writing a session never leaves half a file, keeps symbolic
links and file modes, and names the path when it fails."""

import os
import stat

import pytest

from rnnviz.core.session_file import load_session, save_session
from tests.session_files import valid_data


@pytest.fixture
def saved(tmp_path):
    p = tmp_path / "a.rnnviz"
    save_session(p, valid_data())
    return p


@pytest.mark.skipif(os.name != "posix", reason="symbolic links and umask are POSIX")
def test_saving_through_a_symlink_keeps_the_link(tmp_path):
    real = tmp_path / "real" / "lesson.rnnviz"
    real.parent.mkdir()
    save_session(real, valid_data())
    link = tmp_path / "link.rnnviz"
    link.symlink_to(real)
    save_session(link, valid_data(seed=7))
    assert link.is_symlink() and load_session(real).settings.seed == 7
    assert sorted(p.name for p in real.parent.iterdir()) == ["lesson.rnnviz"]


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_new_files_follow_the_umask_and_old_files_keep_their_mode(tmp_path):
    old = os.umask(0o027)
    try:
        p = tmp_path / "new.rnnviz"
        save_session(p, valid_data())
        assert stat.S_IMODE(p.stat().st_mode) == 0o640
        os.chmod(p, 0o604)
        save_session(p, valid_data(seed=3))
        assert stat.S_IMODE(p.stat().st_mode) == 0o604
    finally:
        os.umask(old)


def test_an_interrupted_save_leaves_the_old_file_and_no_temporary(saved, monkeypatch):
    before = saved.read_bytes()

    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr("os.fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_session(saved, valid_data(seed=4))
    assert saved.read_bytes() == before and [p.name for p in saved.parent.iterdir()] == ["a.rnnviz"]


def test_write_errors_name_the_path(tmp_path):
    target = tmp_path / "no such folder" / "a.rnnviz"
    with pytest.raises(OSError) as info:
        save_session(target, valid_data())
    assert "no such folder" in str(info.value)
