"""Drives a Relais server with personio-py, an unmodified third-party client
of the modelled HRIS, and prints what it read as JSON.

Usage: personio_py_check.py BASE_URL CLIENT_ID CLIENT_SECRET
"""

import json
import sys
from datetime import date, datetime

from personio_py import Absence, Attendance, Department, Employee, Personio, PersonioApiError


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
            "employee_calls": employees_written,
            "attendance_minutes": sum(
                int((a.end_time - a.start_time).total_seconds() // 60) - a.break_duration for a in attendances
            ),
        }
    )
)
