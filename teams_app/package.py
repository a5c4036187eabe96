"""Build the Teams app package: build/caseload-bot-teams.zip (manifest, colour and outline icons).

`make teams-package` runs this. The manifest in this folder is a template: `${NAME}` placeholders
are filled from the environment (and `.env`):

- TEAMS_APP_ID (required): the Azure Bot's Microsoft App ID, used as the app id and the bot id;
- TEAMS_BOT_DOMAIN: the host of the messaging endpoint (https://HOST/api/messages), for
  validDomains;
- TEAMS_DEVELOPER_NAME, TEAMS_DEVELOPER_URL, TEAMS_PRIVACY_URL, TEAMS_TERMS_URL: who publishes it
  (the council), shown in Teams' app details.

The icons are drawn here with Pillow (a 192×192 colour icon, a 32×32 white outline on
transparency, as Teams requires), so the repository holds no binary files.
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
import uuid
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "manifest.json"
DEFAULT_OUTPUT = HERE.parent / "build" / "caseload-bot-teams.zip"
PLACEHOLDER = re.compile(r"\$\{([A-Z0-9_]+)\}")
BLUE = (31, 92, 153, 255)  # the manifest's accentColor, #1F5C99
WHITE = (255, 255, 255, 255)

DEFAULTS = {
    "TEAMS_BOT_DOMAIN": "localhost",
    "TEAMS_DEVELOPER_NAME": "Children's Services",
    "TEAMS_DEVELOPER_URL": "https://www.gov.uk/",
    "TEAMS_PRIVACY_URL": "https://www.gov.uk/help/privacy-notice",
    "TEAMS_TERMS_URL": "https://www.gov.uk/help/terms-conditions",
}


class PackageError(ValueError):
    """The package cannot be built as configured (the message says what to set)."""


def values_from(environ: dict[str, str]) -> dict[str, str]:
    values = {**DEFAULTS, **{key: value for key, value in environ.items() if value}}
    app_id = values.get("TEAMS_APP_ID", "").strip()
    if not app_id:
        raise PackageError("TEAMS_APP_ID is not set: set it to the Azure Bot's Microsoft App ID "
                           "(in the environment or .env) and run make teams-package again.")
    try:
        uuid.UUID(app_id)
    except ValueError:
        raise PackageError(f"TEAMS_APP_ID={app_id!r} is not a GUID: Teams needs the Azure Bot's "
                           "Microsoft App ID, e.g. 00000000-0000-0000-0000-000000000000.") from None
    domain = values["TEAMS_BOT_DOMAIN"].strip()
    domain = re.sub(r"^https?://", "", domain).split("/", 1)[0]
    values.update(TEAMS_APP_ID=app_id, TEAMS_BOT_DOMAIN=domain)
    return values


def manifest_text(values: dict[str, str]) -> str:
    """The template with every placeholder filled (JSON-escaped); a missing one is an error."""
    template = TEMPLATE.read_text(encoding="utf-8")
    missing = sorted({name for name in PLACEHOLDER.findall(template) if name not in values})
    if missing:
        raise PackageError(f"set {', '.join(missing)} to build the Teams package")
    filled = PLACEHOLDER.sub(lambda match: json.dumps(values[match.group(1)])[1:-1], template)
    json.loads(filled)  # still valid JSON
    return filled


def draw_icon(size: int, outline: bool) -> bytes:
    """A case folder with a tick: white on blue (colour), or white on transparent (outline)."""
    from PIL import Image, ImageDraw

    scale = 4  # drawn large, then shrunk: smooth edges at 32 px
    side = size * scale
    image = Image.new("RGBA", (side, side), (0, 0, 0, 0) if outline else BLUE)
    draw = ImageDraw.Draw(image)
    unit = side / 32
    line = max(1, round((1.5 if outline else 1.2) * unit))
    inset = 0 if outline else 5
    left, right = (2 + inset) * unit, (30 - inset) * unit
    top, bottom = (7 + inset * 0.9) * unit, (27 - inset * 0.9) * unit
    tab = (left, top - 3 * unit, left + (right - left) * 0.42, top + unit)
    draw.rounded_rectangle(tab, radius=unit, outline=WHITE, width=line)
    draw.rounded_rectangle((left, top, right, bottom), radius=1.5 * unit, outline=WHITE,
                           width=line, fill=None if outline else BLUE)
    middle_x, middle_y = (left + right) / 2, (top + bottom) / 2
    size_k = 1 if outline else 0.7
    tick = [(middle_x - 5 * unit * size_k, middle_y),
            (middle_x - 1.5 * unit * size_k, middle_y + 3.5 * unit * size_k),
            (middle_x + 5.5 * unit * size_k, middle_y - 4 * unit * size_k)]
    draw.line(tick, fill=WHITE, width=line + scale, joint="curve")
    image = image.resize((size, size), Image.Resampling.LANCZOS)
    if outline:  # Teams wants pure white on transparency: no grey edge pixels
        alpha = image.getchannel("A")
        image = Image.new("RGBA", (size, size), WHITE)
        image.putalpha(alpha)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def build_package(environ: dict[str, str], output: Path = DEFAULT_OUTPUT) -> Path:
    manifest = manifest_text(values_from(environ))
    output.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", manifest)
        package.writestr("color.png", draw_icon(192, outline=False))
        package.writestr("outline.png", draw_icon(32, outline=True))
    return output


def main() -> int:
    try:
        from dotenv import load_dotenv

        load_dotenv(HERE.parent / ".env", override=False)
    except ImportError:
        pass
    try:
        built = build_package(dict(os.environ))
    except PackageError as problem:
        print(f"teams-package: {problem}", file=sys.stderr)
        return 2
    print(f"Teams app package: {built} (upload it in the Teams admin centre: Manage apps → "
          "Upload new app)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
