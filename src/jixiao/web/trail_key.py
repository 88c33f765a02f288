"""The trail key (no Django here: ``jixiao serve`` makes the file before Django starts).

An HMAC key kept outside the database, the same on every app server of a deployment:
``JIXIAO_TRAIL_KEY`` (keys separated by commas, the current one last), else the lines of
the file ``JIXIAO_TRAIL_KEY_FILE`` (default ``<data dir>/trail_key``; older keys first, the
current one last), which must be readable by its owner only (0600)."""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from jixiao.domain import trail

MIN_KEY = 32
"""The shortest trail key accepted (characters)."""


class TrailKeyError(Exception):
    """No usable trail key, or not the chain's: the message says which and what to do."""


def key_file(data_dir: Path) -> Path:
    return Path(os.environ.get("JIXIAO_TRAIL_KEY_FILE") or data_dir / "trail_key")


def keyring(path: Path) -> tuple[dict[str, bytes], str]:
    """The trail keys (key id → key) and the current one's id; TrailKeyError says what
    is wrong (none, too short, a file others may read)."""
    if given := os.environ.get("JIXIAO_TRAIL_KEY"):
        texts, where = given.split(","), "JIXIAO_TRAIL_KEY"
    else:
        where = str(path)
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
            if mode & 0o077:
                raise TrailKeyError(
                    f"留痕密钥文件 {path} 的权限为 {mode:04o}，应为 0600（chmod 600 {path}）"
                )
            texts = path.read_text().splitlines()
        except FileNotFoundError:
            raise TrailKeyError(
                f"没有留痕密钥：设置 JIXIAO_TRAIL_KEY，或放在 {path}"
                "（JIXIAO_TRAIL_KEY_FILE，权限 0600）"
            ) from None
        except OSError as error:
            raise TrailKeyError(f"无法读取留痕密钥文件 {path}：{error.strerror}") from None
    keys = [t.strip().encode() for t in texts if t.strip()]
    if not keys or any(len(k) < MIN_KEY for k in keys):
        raise TrailKeyError(f"{where} 中的留痕密钥应至少 {MIN_KEY} 个字符")
    return {trail.key_id(k): k for k in keys}, trail.key_id(keys[-1])


def make_key_file(path: Path) -> None:
    """A new key file (mode 0600) holding one random key, unless it exists or
    ``JIXIAO_TRAIL_KEY`` is set."""
    if os.environ.get("JIXIAO_TRAIL_KEY") or path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(secrets.token_urlsafe(48) + "\n")


def add_key(path: Path) -> str:
    """Append a new random key to the key file (the rotation's first step); its id."""
    key = secrets.token_urlsafe(48)
    keyring(path)  # the file is there and private
    with path.open("a") as out:
        out.write(key + "\n")
    return trail.key_id(key.encode())
