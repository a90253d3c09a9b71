"""Drives a Relais server with personio-py, an unmodified third-party client
of the modelled HRIS, and prints what it read as JSON.

Usage: personio_py_check.py BASE_URL CLIENT_ID CLIENT_SECRET
"""

import json
import sys
from datetime import date, datetime, timedelta

from personio_py import Absence, Attendance, Department, Employee, Personio, PersonioApiError, Project



def absence_attendance_calls(client, employee_id, absence_type, employee):
    """Every call personio-py makes for projects, attendances and absences
    beyond listing and creating: create, update and delete a project; update
    and delete an attendance; get and delete an absence. Answers what each
    call gave back, for the Rust side to check against the store."""
    out = {}

    # Projects: listed, created, renamed and deactivated, deleted.
    out["projects_before"] = len(client.get_projects())
    project = client.create_project(Project(client=client, name="personio-py project", active=True))
    out["project_id"] = project.id_
    project.name = "personio-py project, renamed"
    project.active = False
    client.update_project(project)
    changed = next(p for p in client.get_projects() if p.id_ == project.id_)
    out["project_after_update"] = {
        "name": changed.name,
        "active": changed.active,
        "created_at": changed.created_at.isoformat() if changed.created_at else None,
    }
    out["project_delete_status"] = client.delete_project(project.id_).status_code
    out["projects_after_delete"] = len(client.get_projects())

    # An attendance: created, read back, changed the way personio-py sends
    # a change (times as H:MM:SS), then deleted.
    day = datetime(2026, 11, 4)
    attendance = Attendance(
        client=client, employee_id=employee_id, date=day.date(),
        start_time="08:00", end_time="12:00", break_duration=0, comment="to be changed",
    )
    client.create_attendances([attendance])
    read = next(a for a in client.get_attendances([employee_id], day, day) if a.id_ == attendance.id_)
    read.end_time = timedelta(hours=13, minutes=15)
    read.break_duration = 15
    read.comment = "changed by personio-py"
    updated = client.update_attendance(read)
    out["attendance_update_message"] = updated["data"]["message"]
    again = next(a for a in client.get_attendances([employee_id], day, day) if a.id_ == attendance.id_)
    out["attendance_after_update"] = {
        "id": again.id_,
        "end_time": str(again.end_time),
        "break": again.break_duration,
        "comment": again.comment,
    }
    deleted = client.delete_attendance(again.id_)
    out["attendance_delete_message"] = deleted["data"]["message"]
    out["attendance_left"] = any(a.id_ == attendance.id_ for a in client.get_attendances([employee_id], day, day))

    # An absence: created, read by id, deleted.
    absence = client.create_absence(Absence(
        client=client, employee=employee, time_off_type=absence_type,
        start_date=date(2026, 12, 21), end_date=date(2026, 12, 22), half_day_start=False, half_day_end=False,
        comment="to be deleted",
    ))
    fetched = client.get_absence(absence.id_)
    out["absence"] = {
        "id": fetched.id_,
        "days_count": fetched.days_count,
        "comment": fetched.comment,
        "employee": fetched.employee.id_,
        "type": fetched.time_off_type.name,
    }
    out["absence_deleted"] = client.delete_absence(absence.id_)
    return out



def png_size(data):
    """A PNG's width and height from its header, or None when it is no PNG."""
    if not data or not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return None
    return [int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")]


def employee_calls(client):
    """Every employee call personio-py 0.3.0 makes: create_employee (a JSON
    object keyed employee[...]), then get_employee through refresh;
    get_employee_picture and Employee.picture, with and without a width;
    update_employee (not implemented by personio-py); search_first."""
    employees = client.get_employees()
    with_picture = next(e for e in employees if e.profile_picture)
    without_picture = next(e for e in employees if not e.profile_picture)
    new = Employee(
        client=client,
        first_name="Py",
        last_name="Client",
        email="py.client@personio-py.example",
        gender="diverse",
        position="Analyst",
        department=Department(name="Engineering"),
        hire_date=datetime(2026, 1, 5),
        weekly_working_hours=32,
    )
    created = client.create_employee(new, refresh=True)
    try:
        client.create_employee(new, refresh=False)
        duplicate = None
    except PersonioApiError as error:
        duplicate = error.status_code
    try:
        client.update_employee(created)
        update = "done"
    except NotImplementedError:
        update = "not implemented by personio-py"
    found = client.search_first("Py Client")
    return {
        "created": {
            "id": created.id_,
            "email": created.email,
            "first_name": created.first_name,
            "department": created.department.name if created.department else None,
            "position": created.position,
            "weekly_working_hours": created.weekly_working_hours,
            "hire_date": created.hire_date.isoformat()[:10] if created.hire_date else None,
            "status": created.status,
        },
        "duplicate_email_status": duplicate,
        "update_employee": update,
        "search_first": found.id_ if found else None,
        "picture_employee": with_picture.id_,
        "picture_attribute": with_picture.profile_picture,
        "picture": png_size(client.get_employee_picture(with_picture)),
        "picture_at_64": png_size(client.get_employee_picture(with_picture.id_, width=64)),
        "picture_method": png_size(with_picture.picture(width=32)),
        "no_picture": client.get_employee_picture(without_picture),
    }


base_url, client_id, client_secret = sys.argv[1:4]
client = Personio(base_url=base_url.rstrip("/") + "/v1/", client_id=client_id, client_secret=client_secret)

employees = client.get_employees()
first = client.get_employee(employees[0].id_)
absence_types = client.get_absence_types()
ids = [e.id_ for e in employees]
absences = client.get_absences(ids)
attendances = client.get_attendances(ids, datetime(2000, 1, 1), datetime(2030, 12, 31))

# Writes: one attendance and one absence, created the way personio-py does.
new_attendance = Attendance(
    client=client, employee_id=ids[0], date=date(2026, 11, 2),
    start_time="09:00", end_time="17:00", break_duration=30, comment="personio-py",
)
created_attendances = client.create_attendances([new_attendance])
vacation = next(t for t in absence_types if t.name == "Paid vacation")
new_absence = Absence(
    client=client, employee=first, time_off_type=vacation,
    start_date=date(2026, 12, 14), end_date=date(2026, 12, 15), half_day_start=False, half_day_end=False,
)
created_absence = client.create_absence(new_absence)
written = absence_attendance_calls(client, ids[1], vacation, first)

employees_written = employee_calls(client)

print(
    json.dumps(
        {
            "employees": len(employees),
            "first_employee": {
                "id": first.id_,
                "first_name": first.first_name,
                "last_name": first.last_name,
                "email": first.email,
                "department": first.department.name if first.department else None,
                "hire_date": first.hire_date.isoformat() if first.hire_date else None,
                "supervisor": first.supervisor.id_ if first.supervisor else None,
            },
            "absence_types": sorted(t.name for t in absence_types),
            "absences": len(absences),
            "absence_days": sum(a.days_count for a in absences),
            "attendances": len(attendances),
            "created_attendance_id": new_attendance.id_ if created_attendances else None,
            "created_absence_id": created_absence.id_,
            "absence_attendance": written,
            "employee_calls": employees_written,
            "attendance_minutes": sum(
                int((a.end_time - a.start_time).total_seconds() // 60) - a.break_duration for a in attendances
            ),
        }
    )
)
