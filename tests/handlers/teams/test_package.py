"""The Teams app package (`make teams-package`): a manifest with our app id, the six commands in
every scope, and the two icons at the sizes Teams requires."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from PIL import Image

from teams_app.package import PackageError, build_package

APP_ID = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"


@pytest.fixture
def package(tmp_path) -> zipfile.ZipFile:
    built = build_package({"TEAMS_APP_ID": APP_ID,
                           "TEAMS_BOT_DOMAIN": "https://caseload.example.gov.uk/api/messages"},
                          tmp_path / "caseload-bot-teams.zip")
    return zipfile.ZipFile(built)


def test_the_package_holds_the_manifest_and_both_icons(package) -> None:
    assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
    colour = Image.open(io.BytesIO(package.read("color.png")))
    outline = Image.open(io.BytesIO(package.read("outline.png")))
    assert colour.size == (192, 192) and outline.size == (32, 32)
    assert outline.mode == "RGBA"
    pixels = [outline.getpixel((x, y)) for x in range(32) for y in range(32)]
    assert all(pixel[:3] == (255, 255, 255) for pixel in pixels)  # white on transparency
    assert any(pixel[3] == 0 for pixel in pixels) and any(pixel[3] == 255 for pixel in pixels)


def test_the_manifest_carries_the_app_id_and_the_bot_in_every_scope(package) -> None:
    manifest = json.loads(package.read("manifest.json"))
    assert int(manifest["manifestVersion"].split(".")[1]) >= 17
    assert manifest["id"] == APP_ID
    [bot] = manifest["bots"]
    assert bot["botId"] == APP_ID
    assert set(bot["scopes"]) == {"personal", "team", "groupChat"}
    [commands] = bot["commandLists"]
    assert set(commands["scopes"]) == {"personal", "team", "groupChat"}
    assert [command["title"] for command in commands["commands"]] == [
        "caseload", "protected", "actions", "supervision", "staffing", "remind", "help"]
    assert all(len(command["description"]) <= 128 for command in commands["commands"])
    assert manifest["validDomains"] == ["caseload.example.gov.uk"]
    assert len(manifest["name"]["short"]) <= 30 and len(manifest["description"]["short"]) <= 80
    assert "${" not in json.dumps(manifest)


@pytest.mark.parametrize("environ", [{}, {"TEAMS_APP_ID": "not-a-guid"}])
def test_without_a_proper_app_id_there_is_no_package(tmp_path, environ) -> None:
    with pytest.raises(PackageError, match="TEAMS_APP_ID"):
        build_package(environ, tmp_path / "package.zip")
    assert not (tmp_path / "package.zip").exists()
