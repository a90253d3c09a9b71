"""Drives a Relais server with personio-py, an unmodified third-party client
of the modelled HRIS, and prints what it read as JSON.

Usage: personio_py_check.py BASE_URL CLIENT_ID CLIENT_SECRET
"""

import json
import sys
from datetime import datetime

from personio_py import Personio

base_url, client_id, client_secret = sys.argv[1:4]
client = Personio(base_url=base_url.rstrip("/") + "/v1/", client_id=client_id, client_secret=client_secret)

employees = client.get_employees()
first = client.get_employee(employees[0].id_)
absence_types = client.get_absence_types()
ids = [e.id_ for e in employees]
absences = client.get_absences(ids)
attendances = client.get_attendances(ids, datetime(2000, 1, 1), datetime(2030, 12, 31))

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
            "attendance_minutes": sum(
                int((a.end_time - a.start_time).total_seconds() // 60) - a.break_duration for a in attendances
            ),
        }
    )
)
