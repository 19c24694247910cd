"""Imported actions with curated emulator declarations answer from the emulator's state: a robot
task created by CreateRobotTask is what QueryRobotTaskDetail reads, until DeleteRobotTask removes it."""

from __future__ import annotations

import json

from dyvmsapi.testing import Emulator


def test_a_created_robot_task_is_read_then_deleted(emu: Emulator) -> None:
    with emu.client() as client:
        created = client.create_robot_task(task_name="回访", dialog_id=7, caller="057100000000",
                                           number_status_ident=True, retry_type=1, recall_times=2)  # fmt: skip
        other = client.create_robot_task(task_name="通知", dialog_id=7, caller="057100000001",
                                         number_status_ident=False, retry_type=0)  # fmt: skip
        assert created.data is not None and other.data is not None and created.data != other.data
        detail = json.loads(client.query_robot_task_detail(id_=int(created.data)).data or "")
        assert (detail["id"], detail["taskName"], detail["caller"]) == (created.data, "回访", "057100000000")
        assert (detail["retryType"], detail["recallTimes"], detail["numberStatusIdent"]) == (1, 2, True)
        assert json.loads(client.query_robot_task_detail(id_=int(other.data)).data or "")["taskName"] == "通知"
        assert client.delete_robot_task(task_id=int(created.data)).code == "OK"
        assert client.query_robot_task_detail(id_=int(created.data)).data is None  # gone
        assert json.loads(client.query_robot_task_detail(id_=int(other.data)).data or "")["taskName"] == "通知"
