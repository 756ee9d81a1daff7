"""Operations: health check, security headers, request logs, backups."""
from flask import Flask


def register_ops(app: Flask) -> None:
    """Install /healthz, security headers, structured request logs, backup and settings commands."""
    from portal.ops.backup import backup_command, restore_command
    from portal.ops.health import bp as health_bp
    from portal.ops.logs import install_request_log
    from portal.ops.security import install_security
    from portal.ops.settings_table import settings_command

    app.register_blueprint(health_bp)
    install_security(app)
    install_request_log(app)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(settings_command)
