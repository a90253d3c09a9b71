# Relais console — English.
# Every message here exists in de.ftl and fr.ftl too (a test checks it).

## Frame
skip-to-content = Skip to content
nav-label = Main
nav-marketplace = Marketplace
nav-connections = Connected integrations
nav-reports = Custom reports
nav-requests = Requests
nav-settings = Settings
nav-credentials = API credentials
nav-people = Users and rights
sign-out = Sign out
pref-language = Language
pref-theme = Theme
pref-apply = Apply
theme-system = Like the system
theme-light = Light
theme-dark = Dark
right-edit = Edit (Marketplace integrations & API)
right-view = View
right-none = No access
read-only-reason = You have the view right: you can look at everything here, but only users with the edit right on "Marketplace integrations & API" can change it.
no-right-title = You do not have access
no-right-text = This page needs the right "{ $right }" on Marketplace integrations & API.
no-right-ask = Ask a user with the edit right in your company to give it to you.

## Common words
cancel = Cancel
save = Save
done = Done
yes = Yes
no = No
never = Never
optional = optional
choose = Choose…
copy = Copy
copied = Copied
refresh = Refresh
filters = Filters
filters-apply = Apply filters
filters-clear = Clear filters
filter-any = Any
filter-from = From
filter-to = To
filter-bad-status = "{ $value }" is not a status.
filter-bad-date = "{ $value }" is not a date (YYYY-MM-DD).
filter-bad-use-case = "{ $value }" is not a use case.
filter-bad-employee = "{ $value }" is not an employee ID.
pager-label = Pages
pager-previous = Previous page
pager-next = Next page
form-problem = There is a problem
back-to = Back to { $name }
back-to-marketplace = Back to the Marketplace
back-to-connections = Back to connected integrations
back-to-credentials = Back to API credentials
back-to-reports = Back to custom reports
back-to-requests = Back to requests
back-to-runs = Back to all runs
back-to-run = Back to the run of { $when }
secret-once = Copy the secret now: it is shown this once and never again. Only its hash is kept.
download-csv = Download CSV
download-jsonl = Download JSON lines

## Columns
col-access = Access
col-actions = Actions
col-api = API
col-api-id = ID for the API
col-attribute = Attribute
col-created = Created
col-date = Date
col-effective-date = Effective from
col-email = E-mail
col-employee = Employee
col-employee-id = Employee ID
col-integration = Integration
col-last = Latest
col-last-run = Last run
col-last-used = Last used
col-message = Message
col-name = Name
col-new = New value
col-next-run = Next run
col-old = Old value
col-reason = Reason
col-requests = Requests
col-right = Right
col-since = Since
col-status = Status
col-trigger = Started by
col-type = Type
col-updated = Changed
col-use-case = Use case
col-use-cases = What it is for
col-value = Value
col-what = What
col-when = When
col-who = Who

## Sign-in and invitations
sign-in-title = Sign in
sign-in-lead = Sign in to your company's Marketplace and API settings.
sign-in-email = Work e-mail
sign-in-password = Password
sign-in-company = Company
sign-in-company-hint = Your e-mail signs in to several companies: type the company's name or handle.
sign-in-button = Sign in
sign-in-refused = The e-mail or the password is not right.
sign-in-no-right = Your account has no right on Marketplace integrations & API. An admin of your company can give it to you.
sign-in-choose-company = Your e-mail signs in to several companies. Say which one.
sign-in-throttled = Too many attempts. Wait a minute, then try again.
sign-in-expired-form = The form had expired. Try again.
sign-in-no-password = No password yet? An admin of your company makes you a link to set one.
invite-title = Set your password
invite-lead = Set the password of { $email } for { $name }.
invite-password = New password
invite-password-hint = At least 12 characters. A few unusual words make a good one.
invite-password-again = The same password again
invite-button = Set password and sign in
invite-mismatch = The two passwords differ.
invite-too-short = A password has at least { $count } characters.
invite-gone = This link is unknown, used or expired. Ask an admin of your company for a new one.

## Errors
error-status = Status
error-request-id = Request ID
error-back-home = Back to the console
error-not-found = Not found
error-no-page = There is no page at this address. The link may be mistyped or out of date.
error-forbidden = Not allowed
error-conflict = That is not possible now
error-bad-request = Something in the request is not right
error-too-large = The request is too large
error-internal = Relais could not answer
error-internal-text = Something went wrong on our side. If it persists, give your administrator the request ID below.
error-not-configured = Relais cannot do this now: the server is not set up for it. Ask the operator.
error-generic = Something went wrong
error-csrf = This form belongs to another session or has expired. Go back, reload the page and try again.

## Marketplace
marketplace-title = Marketplace
marketplace-lead = Every integration you can use with your HR platform, built by the platform or by partners.
marketplace-search = Search integrations
marketplace-search-placeholder = Slack, payroll, identity…
marketplace-search-button = Search
marketplace-results = Integrations
marketplace-count = { $count ->
    [one] One integration
   *[other] { $count } integrations
}
marketplace-empty-title = No integration matches
marketplace-empty-text = Try other words or fewer filters. Cannot find what you need? Request it, or build it with the public APIs.
marketplace-missing = Cannot find an integration?
request-integration = Request an integration
filter-built-by = Built by
filter-badge = Partner badge
filter-capability = Offers
filter-category = Category
kind-platform = The platform
kind-partner = Partners
built-by-platform = Built by the platform
built-by-partner = Built by { $name }
badge-select = Select
badge-elite = Elite
badge-premier = Premier
capability-sync_tracking = Sync tracking
capability-demo = Demo
category-identity_access = Identity & access
category-team_communication = Team communication
category-payroll = Payroll
category-recruiting = Recruiting
category-learning = Learning
category-performance = Performance
category-time_tracking = Time tracking
category-bi_reporting = BI & reporting
category-expenses = Expenses
category-benefits = Benefits
category-accounting = Accounting
category-productivity = Productivity

## Integration page
action-connect = Connect
action-continue-setup = Continue setup
action-manage = Manage
action-reconnect = Reconnect
action-request-demo = Request demo
see-connection = See the connection
section-overview = Overview
section-setup = Setup
section-permissions = Permissions
section-pricing = Pricing
section-support = Support
section-developer = Developer
sidebar-label = Support and developer
permissions-lead = Once connected, it reads or writes through the public APIs:
permissions-none = It needs no access to your HR data through the public APIs.
support-platform = Built by the platform: get help through Help & feedback.
support-partner = Built by a partner, who gives its support; the platform does not support partner-built integrations.
support-website = Support website
support-email = Support e-mail
developer-name = Developer
developer-website = Website
developer-privacy = Privacy
developer-privacy-link = Privacy policy
sync-tracking-available = Its syncs are listed in the Tracking tab of the connection.
sync-run-by-relais = Relais runs its syncs (its own SCIM connector).
sync-run-by-partner = The partner runs its syncs and reports them to Relais.
sync-not-built = Relais has no connector for it yet and nobody reports its runs: the Tracking tab stays empty.
integration-page = The integration's page
demo-title = Request a demo of { $name }
demo-lead = The team behind the integration contacts you to show it before you connect it.
demo-message = Message
demo-message-hint = What you would like to see, and when you are available (optional).

## Connecting
connect-title = Connect { $name }
connect-access = What it will access
connect-access-lead = Connecting gives it this access to your HR data:
connect-steps = Steps
connect-partner-note = After these steps the partner activates the connection on its side; until then it is Pending.
connect-start = Start
wizard-steps = Setup steps
wizard-step-done = done
wizard-step-title = { $name }: { $step }
wizard-review = Summary
wizard-review-title = Review and connect { $name }
wizard-review-lead = Check the answers, then connect. Secrets show as set, never their value.
wizard-change = Change
wizard-not-given = Not given
wizard-secret-set = Set (hidden)
wizard-secret-kept = Stored sealed. Type it again to change this step.
wizard-back = Back
wizard-next = Save and continue
wizard-connect = Connect { $name }
done-title = { $name }
done-status = Status:
done-connected = The integration is connected and may exchange data.
done-pending = The partner activates the connection on its side now; until then it is Pending and exchanges no data.
done-partner-credential = The credential for the partner
done-see-connection = See the connection

## Connected integrations
connections-title = Connected integrations
connections-lead = Every integration of your company, with its status.
connections-counts = Connections by status
connections-all = { $count ->
    [one] All: 1
   *[other] All: { $count }
}
connections-empty-title = Nothing is connected yet
connections-empty-text = Find an integration in the Marketplace and connect it.
connections-none-filtered = No connection has this status.
status-pending = Pending
status-connected = Connected
status-inactive = Inactive
status-disconnected = Disconnected
reason-wizard = The setup wizard is not finished.
reason-partner = Waiting for the partner to activate it.
reason-deactivated = Deactivated by an admin: { $what }
reason-credential-revoked = Its API credential was revoked.
reason-auth-failures = Stopped after repeated authentication failures.
reason-failing-too-long = Stopped: every sync run failed for { $days } days.
never-run = Never run
next-run-due = Due now
tab-overview = Overview
tab-tracking = Tracking
connection-facts = Details
connection-created = Started
connection-id = Connection ID
connection-credential = API credential
connection-syncs = Syncs
connection-events = History
connection-actions = Actions
action-sync-now = Sync now
action-provision = Provision now
provision-employee = Provision one employee now (employee id)
provision-hint = Runs the cycle for this employee alone, now, as a run of its own, and shows the steps taken. Nobody else is touched.
sync-full = Full reconciliation (read every account back)
deactivate-reason = Why deactivate it?
action-deactivate = Deactivate
action-reactivate = Reactivate
action-disconnect = Disconnect…
disconnect-title = Disconnect { $name }?
disconnect-lead = Disconnecting removes the connection:
disconnect-credentials = every API credential made for it stops working at once;
disconnect-history = its history and sync runs are kept;
disconnect-again = you can connect the integration again later.
disconnect-confirm = Disconnect { $name }
event-connection-start = Setup started
event-connection-wizard-step = Step answered
event-connection-complete-wizard = Setup completed
event-connection-partner-activated = Activated by the partner
event-connection-deactivate = Deactivated
event-connection-reactivate = Reactivated
event-connection-disconnect = Disconnected
event-connection-auth-failures-exceeded = Stopped after authentication failures
event-connection-credential-revoked = Credential revoked
event-connection-failing-too-long = Stopped: every sync failed too long
event-connection-disable-warning = Warned: stops in a day if syncs keep failing
event-connection-pause = Schedule paused
event-connection-resume = Schedule resumed

## Tracking
tracking-title = Tracking: { $name }
tracking-runs = Sync runs
tracking-count = { $count ->
    [one] One run
   *[other] { $count } runs
}
tracking-none = No run yet. Runs appear here as they happen.
tracking-none-filtered = No run matches these filters.
run-running = Running
run-completed = Completed successfully
run-partially_completed = Partially completed
run-failed = Failed
trigger-scheduled = Schedule
trigger-manual = Sync now
trigger-partner_reported = The partner
trigger-on_demand = On demand (one employee)
cycle-full = Full
cycle-incremental = Changes only
use-case-update = Update
use-case-provision = Provisioning
use-case-deprovision = Deprovisioning
use-case-link = Link
entry-success = Success
entry-failed = Failed
entry-skipped = Skipped
failed-count = { $count } failed
run-title = Run of { $when }
run-summary = Summary
run-started = Started
run-finished = Finished
run-cycle = Kind
run-operations = Operations
run-staged = { $count ->
    [one] One deprovisioning was held back by the safety threshold.
   *[other] { $count } deprovisionings were held back by the safety threshold.
}
run-error = The run failed:
run-response = The remote API answered { $status }
run-entries = Employees touched
entries-count = { $count ->
    [one] One entry
   *[other] { $count } entries
}
entries-none = No entry matches.
duration-seconds = { $count ->
    [one] 1 second
   *[other] { $count } seconds
}
duration-minutes = { $count ->
    [one] 1 minute
   *[other] { $count } minutes
}
entry-title = Entry for employee { $id }
group-department = Department { $name }
group-team = Team { $name }
entry-group-title = Entry for the group { $name }
entry-summary = Summary
entry-changes = Changed attributes
entry-no-changes = No attribute changed.
entry-response = Remote API answer
entry-no-response = No answer was recorded.
employee-history-title = Employee { $id } across runs

## API credentials
credentials-title = API credentials
credentials-lead = Credentials let other tools read (and where allowed, write) your HR data through the public APIs.
credentials-empty-title = No API credentials yet
credentials-empty-text = Generate one for a tool that needs your HR data.
credential-generate = Generate new credential
credential-new-title = New API credential
credential-name = Name
credential-name-hint = Say what it is for, e.g. "Custom reports for the warehouse".
credential-integration = Integration
credential-other = Other
credential-access = Access per API
credential-reports-note = With Custom Reports read access, every report of the company can be read, whatever the readable attributes below.
credential-attributes = Readable employee attributes
credential-attributes-lead = What the Personnel Data APIs return about employees. Custom reports do not apply this list.
credential-attributes-count = { $count ->
    [one] 1 readable attribute
   *[other] { $count } readable attributes
}
credential-no-scope = No access yet
credential-revoked = Revoked
credential-is-revoked = This credential is revoked: it no longer works.
credential-more = More
credential-rotate = Rotate secret…
credential-revoke = Revoke…
credential-created-title = Credential generated
credential-rotated-title = New secret
credential-created-text = "{ $name }" is ready.
credential-client-id = Client ID
credential-client-secret = Client secret
credential-rotate-title = Rotate the secret of { $name }?
credential-rotate-lead = A new secret replaces the old one at once: tools using the old secret, and every token it got, stop working.
credential-rotate-confirm = Rotate the secret of { $name }
credential-revoke-title = Revoke { $name }?
credential-revoke-lead = The credential stops working at once and for good. A connection that uses it turns Inactive.
credential-revoke-confirm = Revoke { $name }
api-recruiting = Recruiting
api-custom_reports = Custom Reports
api-employees = Employees
api-absences = Absences
api-attendances = Attendances
api-documents = Documents
access-read = Read
access-write = Write
access-read-only = read only

## Custom reports
reports-title = Custom reports
reports-lead = Reports of your company's HR data; integrations read them through the Custom Reports API.
reports-empty = No report yet.
report-kind-point_in_time = Point in time
report-kind-historical_data = Historical data
report-kind-timeframe = Timeframe
report-period = From { $name } to { $value }
report-rows = { $count ->
    [one] One employee
   *[other] { $count } employees
}
report-api-note = Through the Custom Reports API: GET /v1/company/custom-reports/reports/{ $id }

## Users and rights
users-title = Users and rights
users-lead = Who may configure integrations and API credentials ("Marketplace integrations & API").
user-you = you
user-right-of = Right of { $email }
user-new-link = New sign-in link
user-remove = Remove…
user-remove-title = Remove { $email }?
user-remove-lead = They can no longer sign in or call the admin API; their tokens stop working at once.
user-remove-confirm = Remove { $email }
invite-someone = Invite someone
invite-button-make = Make an invitation link
invite-made = A link for { $email }
invite-made-lead = Send this link to them: it lets them set a password once, within seven days.
invite-link = Invitation link

## Requests
requests-title = Requests
requests-lead = Integrations your company asked for, and the demos it requested.
requests-integrations = Requested integrations
requests-demos = Demo requests
requests-none = No integration requested yet.
demos-none = No demo requested yet.
request-lead = Tell us which tool you miss and what it is for. Requests for the same tool are counted together.
request-name = Tool's name
request-website = Website
request-use-case = What it is for
request-use-case-hint = Which data it needs and who uses it.
request-send = Send request

## Notices after an action
notice-password-set = Your password is set. Welcome.
notice-demo-requested = Demo requested: the team behind the integration contacts you.
notice-integration-requested = Thank you: your request is recorded.
notice-connected = Connected.
notice-pending = Set up; waiting for the partner's activation.
notice-deactivated = The connection is deactivated.
notice-reactivated = The connection is active again.
notice-disconnected = The integration is disconnected.
notice-sync-started = A sync run started; it appears below.
notice-credential-created = The credential is generated.
notice-credential-updated = The credential is saved.
notice-credential-rotated = The secret is rotated.
notice-credential-revoked = The credential is revoked.
notice-user-invited = The invitation link is ready.
notice-right-changed = The right is changed; it takes effect at the user's next request.
notice-user-removed = The user is removed.
notice-step-saved = Saved.
notice-signed-out = You are signed out.
notice-token-revoked = The token is revoked.
notice-report-ready = The report is ready.

# Recruiting
nav-recruiting = Recruiting
recruiting-title = Recruiting
recruiting-lead = Job positions on the career page and the XML job feed, and the applications they receive through the Recruiting API.
recruiting-company-number = Company ID (X-Company-ID)
recruiting-key = Recruiting API key
recruiting-key-issued = Issued { $when }. Only its hash is kept; a new one is issued with:
recruiting-key-none = None yet; one is issued with:
recruiting-feed = XML job feed
recruiting-switches = Switches
recruiting-switch-recruiting = Recruiting
recruiting-switch-api = API
recruiting-switch-feed = Feed
recruiting-on = on
recruiting-off = off
recruiting-jobs = Job positions
recruiting-jobs-empty = No job positions yet.
recruiting-published = Published
recruiting-draft = Draft
applications-title = Applications
applications-lead = The latest changes first.
applications-empty = No applications yet.
application-message = Message
application-phases = Phases
application-files = Files
application-no-files = No files.
back-to-recruiting = Back to recruiting
back-to-applications = Back to applications
pager-first = First page
col-office = Office
col-department = Department
col-job = Job
col-phase = Phase
col-channel = Channel
col-candidate = Candidate
col-phone = Phone
col-location = Location
col-available-from = Available from
col-salary-expectations = Salary expectations
col-tags = Tags

# Settings › Webhooks
nav-webhooks = Webhooks
webhooks-title = Webhooks
webhooks-lead = Your systems are told what happens to your integrations: failed and recovered syncs, connections turned off, staged deprovisions, credentials. Each delivery is signed (Standard Webhooks) and retried for about a day.
webhook-add = Add endpoint
webhooks-empty-title = No endpoint yet
webhooks-empty-text = Add the address of a system that should hear about failed syncs and the like.
webhook-url = Endpoint URL
webhook-url-hint = https://… A private or local address is refused unless the operator allows it.
webhook-description = Description
webhook-events = Events
webhook-status = Status
webhook-enabled = Enabled
webhook-disabled = Disabled
webhook-disabled-by-relais = Disabled by Relais: { $what }
webhook-failing-since = Enabled, failing since { $when }
webhook-new-title = Add a webhook endpoint
webhook-created-title = Endpoint added
webhook-rotated-title = New signing secret
webhook-secret = Signing secret
webhook-secret-text = Deliveries to { $name } are signed with this secret: check each delivery's webhook-signature with it.
webhook-enable = Enable
webhook-disable = Disable
webhook-rotate = Rotate secret
webhook-delete = Remove
webhook-rotate-title = Rotate the signing secret
webhook-rotate-lead = A new secret is shown once. For 24 hours deliveries carry two signatures, by the new and by the old secret, so the receiver can switch without losing one.
webhook-rotate-confirm = Rotate the secret
webhook-delete-title = Remove the endpoint
webhook-delete-lead = The endpoint and its delivery log are removed. Events are no longer sent to it.
webhook-delete-confirm = Remove the endpoint
webhook-deliveries = Deliveries
webhook-deliveries-count = { $count ->
    [one] 1 delivery, newest first
   *[other] { $count } deliveries, newest first
}
webhook-no-deliveries = Nothing sent yet.
webhook-event = Event
webhook-state = State
webhook-last-answer = Last answer
webhook-redeliver = Send again
webhook-attempts = { $count ->
    [one] 1 attempt
   *[other] { $count } attempts
}
delivery-state-pending = Pending
delivery-state-delivered = Delivered
delivery-state-failed = Given up
back-to-webhooks = Back to webhooks
notice-webhook-updated = The endpoint is changed.
notice-webhook-deleted = The endpoint is removed.
notice-webhook-redelivered = The delivery is queued and sent within seconds.
schedule-is-paused = Paused (Sync now still runs)
col-failing-since = Every run failed since
action-pause-schedule = Pause the schedule
action-resume-schedule = Resume the schedule
notice-schedule-paused = The schedule is paused: no cycle runs until you resume it.
notice-schedule-resumed = The schedule is resumed.
