from mmsite.commands.cli import run

run()
