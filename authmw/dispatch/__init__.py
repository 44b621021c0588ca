"""Routing of ``{base_path}/{action}[/{provider}]`` to endpoint handlers."""
