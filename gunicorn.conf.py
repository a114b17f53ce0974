"""gunicorn's settings for the portal (the Dockerfile's CMD and compose's `web` read this).

The access log goes through clm_portal.logredact, so an invitation link's token (or any path
in settings.REDACTED_PATH_PREFIXES) never reaches the log, in the request line, the path, the
query string, the referrer or any header.
"""

import os

from gunicorn.glogging import Logger

from clm_portal.logredact import redact

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
accesslog = "-"
timeout = 60
graceful_timeout = 30
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
control_socket_disable = True


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key, value in list(atoms.items()):
            if isinstance(value, str):
                atoms[key] = redact(value)
        return atoms


logger_class = RedactingLogger
