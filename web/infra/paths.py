"""Request paths as the app's own routes see them, and as they may be written to a log."""

from __future__ import annotations

from urllib.parse import quote

# Characters a path may show as they are; everything else (spaces, line breaks, control
# characters) is written percent-encoded, so a request cannot forge a log line.
_LOG_SAFE = "/:@!$&'()*+,;=-._~%"


def route_path(scope) -> str:
    """The path below the app's root path: what the routes match, wherever the app is mounted."""
    path, root = scope.get("path", ""), scope.get("root_path", "")
    if root and path.startswith(root):
        return path[len(root):] or "/"
    return path


def loggable(path: str) -> str:
    """The path percent-encoded where it is not plain text, for one log line per request."""
    return quote(path, safe=_LOG_SAFE)
