"""Drives a Relais server with personio-py, an unmodified third-party client
of the modelled HRIS, and prints what it read as JSON.

Usage: personio_py_check.py BASE_URL CLIENT_ID CLIENT_SECRET
"""

import json
import sys
from datetime import date, datetime

from personio_py import Absence, Attendance, Personio

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
            "attendance_minutes": sum(
                int((a.end_time - a.start_time).total_seconds() // 60) - a.break_duration for a in attendances
            ),
        }
    )
)
