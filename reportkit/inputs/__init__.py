"""Reading the clerk's inputs."""
