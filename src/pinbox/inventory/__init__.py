"""Reading what is installed, or will be: here, the console scripts each locked wheel provides."""

from pinbox.inventory.entry_points import Lookup, Wheel, console_scripts, console_scripts_many

__all__ = ["Lookup", "Wheel", "console_scripts", "console_scripts_many"]
