"""``haikei devices``: the cameras and virtual-camera devices found."""

from __future__ import annotations

import argparse
import json


def add_parser(sub: argparse._SubParsersAction) -> None:
    devices = sub.add_parser("devices", help="list cameras and virtual-camera devices")
    devices.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
    from haikei.devices import list_devices
    from haikei.outputs.vcam import virtual_camera_fix

    found = list_devices()
    if args.json:
        print(json.dumps({"devices": [d.to_dict() for d in found]}, indent=2))
        return 0
    for kind, title in (("camera", "Cameras"), ("virtual-camera", "Virtual cameras")):
        print(f"{title}:")
        entries = [d for d in found if d.kind == kind]
        for d in entries:
            print(f"  {d.id:14} {d.name}" + (f"  ({d.problem})" if d.problem else ""))
        if not entries:
            print("  none" + (f": {virtual_camera_fix()}" if kind == "virtual-camera" else ""))
    return 0
