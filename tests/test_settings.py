from __future__ import annotations

from pathlib import Path

import pytest

from irlmeet.core.errors import ConfigError
from irlmeet.core.settings import Paths, Settings, default_paths


def _paths(tmp_path: Path) -> Paths:
    return Paths(tmp_path / "d.json", tmp_path / "config.toml", tmp_path / "cache", tmp_path / "themes")


def test_defaults_without_a_config_file(tmp_path):
    s = Settings.load(_paths(tmp_path))
    assert s.radius_km == 50 and s.theme == "irlmeet-dark"


def test_config_values_are_read(tmp_path):
    p = _paths(tmp_path)
    p.config_file.write_text('radius_km = 30\ntheme = "irlmeet-light"\n', encoding="utf-8")
    s = Settings.load(p)
    assert (s.radius_km, s.theme) == (30.0, "irlmeet-light")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("radius_km = \n", "line 1"),
        ("radius_km = -3\n", "radius_km must be a number of km"),
        ('radius = 3\n', "unknown setting 'radius'"),
        ("theme = 4\n", "theme must be a theme's name"),
    ],
)
def test_a_bad_config_names_the_file_and_what_is_wrong(tmp_path, text, says):
    p = _paths(tmp_path)
    p.config_file.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        Settings.load(p)
    assert str(p.config_file) in str(info.value) and says in str(info.value)


def test_the_data_file_can_be_chosen(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_paths({}).data_file == tmp_path / "xdg" / "irlmeet" / "irlmeet.json"
    assert default_paths({"IRLMEET_DATA": str(tmp_path / "e.json")}).data_file == tmp_path / "e.json"
    assert default_paths({"IRLMEET_DATA": "x"}, data_file=tmp_path / "flag.json").data_file == tmp_path / "flag.json"


def test_draft_caps_are_read_and_checked(tmp_path):
    paths = _paths(tmp_path)
    paths.config_file.parent.mkdir(parents=True, exist_ok=True)
    paths.config_file.write_text("[drafts]\nlinkedin_note_cap = 300\nsms_cap = 160\n", encoding="utf-8")
    s = Settings.load(paths)
    assert s.drafts.linkedin_note_cap == 300 and s.drafts.sms_cap == 160 and s.drafts.post_cap == 280
    for text, says in (("[drafts]\nlinkedin_cap = 300\n", "unknown setting 'linkedin_cap'"),
                       ("[drafts]\nsms_cap = 'long'\n", "sms_cap must be a whole number")):
        paths.config_file.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError, match=says) as exc:
            Settings.load(paths)
        assert str(paths.config_file) in str(exc.value)
    assert paths.templates_dir == paths.config_file.parent / "templates"
