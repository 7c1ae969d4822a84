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
