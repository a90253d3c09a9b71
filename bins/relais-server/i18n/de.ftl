# Relais-Konsole — Deutsch.

## Rahmen
skip-to-content = Zum Inhalt springen
nav-label = Hauptnavigation
nav-marketplace = Marketplace
nav-connections = Verbundene Integrationen
nav-reports = Benutzerdefinierte Berichte
nav-requests = Anfragen
nav-settings = Einstellungen
nav-credentials = API-Zugangsdaten
nav-people = Benutzer und Rechte
sign-out = Abmelden
pref-language = Sprache
pref-theme = Darstellung
pref-apply = Übernehmen
theme-system = Wie das System
theme-light = Hell
theme-dark = Dunkel
right-edit = Bearbeiten (Marketplace-Integrationen & API)
right-view = Ansehen
right-none = Kein Zugriff
read-only-reason = Sie haben das Recht „Ansehen“: Sie sehen hier alles, ändern können es nur Benutzer mit dem Recht „Bearbeiten“ für „Marketplace-Integrationen & API“.
no-right-title = Kein Zugriff
no-right-text = Diese Seite braucht das Recht „{ $right }“ für Marketplace-Integrationen & API.
no-right-ask = Bitten Sie einen Benutzer Ihres Unternehmens mit dem Recht „Bearbeiten“, es Ihnen zu geben.

## Allgemeine Wörter
cancel = Abbrechen
save = Speichern
done = Fertig
yes = Ja
no = Nein
never = Nie
optional = optional
choose = Auswählen…
copy = Kopieren
copied = Kopiert
refresh = Aktualisieren
filters = Filter
filters-apply = Filter anwenden
filters-clear = Filter zurücksetzen
filter-any = Alle
filter-from = Von
filter-to = Bis
filter-bad-status = „{ $value }“ ist kein Status.
filter-bad-date = „{ $value }“ ist kein Datum (JJJJ-MM-TT).
filter-bad-use-case = „{ $value }“ ist kein Anwendungsfall.
filter-bad-employee = „{ $value }“ ist keine Mitarbeiter-ID.
pager-label = Seiten
pager-previous = Vorherige Seite
pager-next = Nächste Seite
form-problem = Es gibt ein Problem
back-to = Zurück zu { $name }
back-to-marketplace = Zurück zum Marketplace
back-to-connections = Zurück zu den verbundenen Integrationen
back-to-credentials = Zurück zu den API-Zugangsdaten
back-to-reports = Zurück zu den Berichten
back-to-requests = Zurück zu den Anfragen
back-to-runs = Zurück zu allen Läufen
back-to-run = Zurück zum Lauf vom { $when }
secret-once = Kopieren Sie das Geheimnis jetzt: Es wird nur dieses eine Mal angezeigt. Gespeichert wird nur sein Hash.
download-csv = CSV herunterladen
download-jsonl = JSON Lines herunterladen

## Spalten
col-access = Zugriff
col-actions = Aktionen
col-api = API
col-api-id = ID für die API
col-attribute = Attribut
col-created = Erstellt
col-date = Datum
col-effective-date = Gültig ab
col-email = E-Mail
col-employee = Mitarbeiter
col-employee-id = Mitarbeiter-ID
col-integration = Integration
col-last = Zuletzt
col-last-run = Letzter Lauf
col-last-used = Zuletzt verwendet
col-message = Meldung
col-name = Name
col-new = Neuer Wert
col-next-run = Nächster Lauf
col-old = Alter Wert
col-reason = Grund
col-requests = Anfragen
col-right = Recht
col-since = Seit
col-status = Status
col-trigger = Gestartet durch
col-type = Art
col-updated = Geändert
col-use-case = Anwendungsfall
col-use-cases = Wofür
col-value = Wert
col-what = Was
col-when = Wann
col-who = Wer

## Anmeldung und Einladungen
sign-in-title = Anmelden
sign-in-lead = Melden Sie sich bei den Marketplace- und API-Einstellungen Ihres Unternehmens an.
sign-in-email = Geschäftliche E-Mail
sign-in-password = Passwort
sign-in-company = Unternehmen
sign-in-company-hint = Ihre E-Mail gehört zu mehreren Unternehmen: Geben Sie den Namen oder das Kürzel des Unternehmens ein.
sign-in-button = Anmelden
sign-in-refused = Die E-Mail oder das Passwort stimmt nicht.
sign-in-no-right = Ihr Konto hat kein Recht auf Marketplace-Integrationen & API. Ein Admin Ihres Unternehmens kann es Ihnen geben.
sign-in-choose-company = Ihre E-Mail gehört zu mehreren Unternehmen. Geben Sie an, zu welchem.
sign-in-throttled = Zu viele Versuche. Warten Sie eine Minute und versuchen Sie es dann erneut.
sign-in-expired-form = Das Formular war abgelaufen. Bitte erneut versuchen.
sign-in-no-password = Noch kein Passwort? Ein Admin Ihres Unternehmens erstellt Ihnen einen Link, um eines festzulegen.
invite-title = Passwort festlegen
invite-lead = Legen Sie das Passwort von { $email } für { $name } fest.
invite-password = Neues Passwort
invite-password-hint = Mindestens 12 Zeichen. Ein paar ungewöhnliche Wörter ergeben ein gutes Passwort.
invite-password-again = Dasselbe Passwort noch einmal
invite-button = Passwort festlegen und anmelden
invite-mismatch = Die beiden Passwörter unterscheiden sich.
invite-too-short = Ein Passwort hat mindestens { $count } Zeichen.
invite-gone = Dieser Link ist unbekannt, benutzt oder abgelaufen. Bitten Sie einen Admin Ihres Unternehmens um einen neuen.

## Fehler
error-status = Status
error-request-id = Anfrage-ID
error-back-home = Zurück zur Konsole
error-not-found = Nicht gefunden
error-no-page = Unter dieser Adresse gibt es keine Seite. Der Link ist vielleicht falsch geschrieben oder veraltet.
error-forbidden = Nicht erlaubt
error-conflict = Das ist gerade nicht möglich
error-bad-request = Etwas an der Anfrage stimmt nicht
error-too-large = Die Anfrage ist zu groß
error-internal = Relais konnte nicht antworten
error-internal-text = Bei uns ist etwas schiefgegangen. Wenn es so bleibt, geben Sie Ihrem Administrator die Anfrage-ID unten.
error-not-configured = Relais kann das gerade nicht: Der Server ist dafür nicht eingerichtet. Wenden Sie sich an den Betreiber.
error-generic = Etwas ist schiefgegangen
error-csrf = Dieses Formular gehört zu einer anderen Sitzung oder ist abgelaufen. Gehen Sie zurück, laden Sie die Seite neu und versuchen Sie es erneut.

## Marketplace
marketplace-title = Marketplace
marketplace-lead = Alle Integrationen, die Sie mit Ihrer HR-Plattform nutzen können, von der Plattform oder von Partnern entwickelt.
marketplace-search = Integrationen suchen
marketplace-search-placeholder = Slack, Lohnabrechnung, Identität…
marketplace-search-button = Suchen
marketplace-results = Integrationen
marketplace-count = { $count ->
    [one] Eine Integration
   *[other] { $count } Integrationen
}
marketplace-empty-title = Keine Integration passt
marketplace-empty-text = Versuchen Sie andere Wörter oder weniger Filter. Nicht dabei, was Sie brauchen? Fragen Sie es an oder bauen Sie es mit den öffentlichen APIs.
marketplace-missing = Eine Integration fehlt?
request-integration = Integration anfragen
filter-built-by = Entwickelt von
filter-badge = Partnerstufe
filter-capability = Bietet
filter-category = Kategorie
kind-platform = Der Plattform
kind-partner = Partnern
built-by-platform = Von der Plattform entwickelt
built-by-partner = Entwickelt von { $name }
badge-select = Select
badge-elite = Elite
badge-premier = Premier
capability-sync_tracking = Synchronisationsverlauf
capability-demo = Demo
category-identity_access = Identität & Zugriff
category-team_communication = Teamkommunikation
category-payroll = Lohnabrechnung
category-recruiting = Recruiting
category-learning = Weiterbildung
category-performance = Performance
category-time_tracking = Zeiterfassung
category-bi_reporting = BI & Reporting
category-expenses = Ausgaben
category-benefits = Benefits
category-accounting = Buchhaltung
category-productivity = Produktivität

## Integrationsseite
action-connect = Verbinden
action-continue-setup = Einrichtung fortsetzen
action-manage = Verwalten
action-reconnect = Erneut verbinden
action-request-demo = Demo anfragen
see-connection = Zur Verbindung
section-overview = Überblick
section-setup = Einrichtung
section-permissions = Berechtigungen
section-pricing = Preise
section-support = Support
section-developer = Entwickler
sidebar-label = Support und Entwickler
permissions-lead = Verbunden liest oder schreibt sie über die öffentlichen APIs:
permissions-none = Sie braucht keinen Zugriff auf Ihre HR-Daten über die öffentlichen APIs.
support-platform = Von der Plattform entwickelt: Hilfe gibt es über „Hilfe & Feedback“.
support-partner = Von einem Partner entwickelt, der den Support leistet; die Plattform unterstützt keine von Partnern entwickelten Integrationen.
support-website = Support-Website
support-email = Support-E-Mail
developer-name = Entwickler
developer-website = Website
developer-privacy = Datenschutz
developer-privacy-link = Datenschutzerklärung
sync-tracking-available = Ihre Synchronisationen stehen im Tab „Verlauf“ der Verbindung.
sync-run-by-relais = Relais führt ihre Synchronisationen aus (mit seinem eigenen SCIM-Connector).
sync-run-by-partner = Der Partner führt ihre Synchronisationen aus und meldet sie an Relais.
sync-not-built = Relais hat noch keinen Connector dafür und niemand meldet ihre Läufe: Der Verlauf bleibt leer.
integration-page = Seite der Integration
demo-title = Demo von { $name } anfragen
demo-lead = Das Team hinter der Integration meldet sich, um sie Ihnen vor dem Verbinden zu zeigen.
demo-message = Nachricht
demo-message-hint = Was Sie sehen möchten und wann Sie Zeit haben (optional).

## Verbinden
connect-title = { $name } verbinden
connect-access = Worauf sie zugreift
connect-access-lead = Mit dem Verbinden erhält sie diesen Zugriff auf Ihre HR-Daten:
connect-steps = Schritte
connect-partner-note = Nach diesen Schritten aktiviert der Partner die Verbindung auf seiner Seite; bis dahin ist sie ausstehend.
connect-start = Beginnen
wizard-steps = Schritte der Einrichtung
wizard-step-done = erledigt
wizard-step-title = { $name }: { $step }
wizard-review = Zusammenfassung
wizard-review-title = { $name } prüfen und verbinden
wizard-review-lead = Prüfen Sie die Angaben und verbinden Sie dann. Geheimnisse erscheinen als gesetzt, nie ihr Wert.
wizard-change = Ändern
wizard-not-given = Nicht angegeben
wizard-secret-set = Gesetzt (verborgen)
wizard-secret-kept = Versiegelt gespeichert. Geben Sie es erneut ein, um diesen Schritt zu ändern.
wizard-back = Zurück
wizard-next = Speichern und weiter
wizard-connect = { $name } verbinden
done-title = { $name }
done-status = Status:
done-connected = Die Integration ist verbunden und darf Daten austauschen.
done-pending = Der Partner aktiviert die Verbindung jetzt auf seiner Seite; bis dahin ist sie ausstehend und tauscht keine Daten aus.
done-partner-credential = Die Zugangsdaten für den Partner
done-see-connection = Zur Verbindung

## Verbundene Integrationen
connections-title = Verbundene Integrationen
connections-lead = Alle Integrationen Ihres Unternehmens mit ihrem Status.
connections-counts = Verbindungen nach Status
connections-all = { $count ->
    [one] Alle: 1
   *[other] Alle: { $count }
}
connections-empty-title = Noch nichts verbunden
connections-empty-text = Suchen Sie eine Integration im Marketplace und verbinden Sie sie.
connections-none-filtered = Keine Verbindung hat diesen Status.
status-pending = Ausstehend
status-connected = Verbunden
status-inactive = Inaktiv
status-disconnected = Getrennt
reason-wizard = Der Einrichtungsassistent ist nicht abgeschlossen.
reason-partner = Wartet auf die Aktivierung durch den Partner.
reason-deactivated = Von einem Admin deaktiviert: { $what }
reason-credential-revoked = Ihre API-Zugangsdaten wurden widerrufen.
reason-auth-failures = Nach wiederholten Authentifizierungsfehlern angehalten.
reason-failing-too-long = Angehalten: jede Synchronisierung scheiterte { $days } Tage lang.
never-run = Noch nie gelaufen
next-run-due = Jetzt fällig
tab-overview = Überblick
tab-tracking = Verlauf
connection-facts = Details
connection-created = Begonnen
connection-id = Verbindungs-ID
connection-credential = API-Zugangsdaten
connection-syncs = Synchronisationen
connection-events = Verlauf der Änderungen
connection-actions = Aktionen
action-sync-now = Jetzt synchronisieren
action-provision = Jetzt bereitstellen
provision-employee = Eine Person jetzt bereitstellen (Personal-ID)
provision-hint = Führt den Zyklus jetzt nur für diese Person aus, als eigenen Lauf, und zeigt die Schritte. Niemand sonst wird berührt.
sync-full = Vollständiger Abgleich (jedes Konto zurücklesen)
deactivate-reason = Warum deaktivieren?
action-deactivate = Deaktivieren
action-reactivate = Wieder aktivieren
action-disconnect = Trennen…
disconnect-title = { $name } trennen?
disconnect-lead = Trennen entfernt die Verbindung:
disconnect-credentials = alle dafür erstellten API-Zugangsdaten funktionieren sofort nicht mehr;
disconnect-history = ihr Verlauf und ihre Synchronisationsläufe bleiben erhalten;
disconnect-again = Sie können die Integration später wieder verbinden.
disconnect-confirm = { $name } trennen
event-connection-start = Einrichtung begonnen
event-connection-wizard-step = Schritt beantwortet
event-connection-complete-wizard = Einrichtung abgeschlossen
event-connection-partner-activated = Vom Partner aktiviert
event-connection-deactivate = Deaktiviert
event-connection-reactivate = Wieder aktiviert
event-connection-disconnect = Getrennt
event-connection-auth-failures-exceeded = Nach Authentifizierungsfehlern angehalten
event-connection-credential-revoked = Zugangsdaten widerrufen
event-connection-failing-too-long = Angehalten: alle Synchronisierungen scheiterten zu lange
event-connection-disable-warning = Gewarnt: wird in einem Tag angehalten, wenn Synchronisierungen weiter scheitern
event-connection-pause = Zeitplan pausiert
event-connection-resume = Zeitplan fortgesetzt

## Verlauf
tracking-title = Verlauf: { $name }
tracking-runs = Synchronisationsläufe
tracking-count = { $count ->
    [one] Ein Lauf
   *[other] { $count } Läufe
}
tracking-none = Noch kein Lauf. Läufe erscheinen hier, sobald sie stattfinden.
tracking-none-filtered = Kein Lauf passt zu diesen Filtern.
run-running = Läuft
run-completed = Erfolgreich abgeschlossen
run-partially_completed = Teilweise abgeschlossen
run-failed = Fehlgeschlagen
trigger-scheduled = Zeitplan
trigger-manual = Jetzt synchronisieren
trigger-partner_reported = Der Partner
trigger-on_demand = Auf Abruf (eine Person)
cycle-full = Vollständig
cycle-incremental = Nur Änderungen
use-case-update = Aktualisierung
use-case-provision = Bereitstellung
use-case-deprovision = Deaktivierung
use-case-link = Verknüpfung
entry-success = Erfolgreich
entry-failed = Fehlgeschlagen
entry-skipped = Übersprungen
failed-count = { $count } fehlgeschlagen
run-title = Lauf vom { $when }
run-summary = Zusammenfassung
run-started = Begonnen
run-finished = Beendet
run-cycle = Art
run-operations = Vorgänge
run-staged = { $count ->
    [one] Eine Deaktivierung wurde von der Sicherheitsschwelle zurückgehalten.
   *[other] { $count } Deaktivierungen wurden von der Sicherheitsschwelle zurückgehalten.
}
run-error = Der Lauf ist fehlgeschlagen:
run-response = Die entfernte API antwortete { $status }
run-entries = Betroffene Mitarbeiter
entries-count = { $count ->
    [one] Ein Eintrag
   *[other] { $count } Einträge
}
entries-none = Kein Eintrag passt.
duration-seconds = { $count ->
    [one] 1 Sekunde
   *[other] { $count } Sekunden
}
duration-minutes = { $count ->
    [one] 1 Minute
   *[other] { $count } Minuten
}
entry-title = Eintrag für Mitarbeiter { $id }
group-department = Abteilung { $name }
group-team = Team { $name }
entry-group-title = Eintrag für die Gruppe { $name }
entry-summary = Zusammenfassung
entry-changes = Geänderte Attribute
entry-no-changes = Kein Attribut geändert.
entry-response = Antwort der entfernten API
entry-no-response = Keine Antwort aufgezeichnet.
employee-history-title = Mitarbeiter { $id } über alle Läufe

## API-Zugangsdaten
credentials-title = API-Zugangsdaten
credentials-lead = Mit Zugangsdaten lesen andere Tools Ihre HR-Daten über die öffentlichen APIs (und schreiben, wo erlaubt).
credentials-empty-title = Noch keine API-Zugangsdaten
credentials-empty-text = Erstellen Sie welche für ein Tool, das Ihre HR-Daten braucht.
credential-generate = Neue Zugangsdaten erstellen
credential-new-title = Neue API-Zugangsdaten
credential-name = Name
credential-name-hint = Wofür sie sind, z. B. „Berichte für das Data Warehouse“.
credential-integration = Integration
credential-other = Andere
credential-access = Zugriff je API
credential-reports-note = Mit Lesezugriff auf benutzerdefinierte Berichte sind alle Berichte des Unternehmens lesbar, unabhängig von den lesbaren Attributen unten.
credential-attributes = Lesbare Mitarbeiterattribute
credential-attributes-lead = Was die Personaldaten-APIs über Mitarbeiter liefern. Benutzerdefinierte Berichte wenden diese Liste nicht an.
credential-attributes-count = { $count ->
    [one] 1 lesbares Attribut
   *[other] { $count } lesbare Attribute
}
credential-no-scope = Noch kein Zugriff
credential-revoked = Widerrufen
credential-is-revoked = Diese Zugangsdaten sind widerrufen: Sie funktionieren nicht mehr.
credential-more = Weiteres
credential-rotate = Geheimnis erneuern…
credential-revoke = Widerrufen…
credential-created-title = Zugangsdaten erstellt
credential-rotated-title = Neues Geheimnis
credential-created-text = „{ $name }“ ist bereit.
credential-client-id = Client-ID
credential-client-secret = Client-Geheimnis
credential-rotate-title = Geheimnis von { $name } erneuern?
credential-rotate-lead = Ein neues Geheimnis ersetzt das alte sofort: Tools mit dem alten Geheimnis und alle damit erhaltenen Tokens funktionieren nicht mehr.
credential-rotate-confirm = Geheimnis von { $name } erneuern
credential-revoke-title = { $name } widerrufen?
credential-revoke-lead = Die Zugangsdaten funktionieren sofort und endgültig nicht mehr. Eine Verbindung, die sie nutzt, wird inaktiv.
credential-revoke-confirm = { $name } widerrufen
api-recruiting = Recruiting
api-custom_reports = Benutzerdefinierte Berichte
api-employees = Mitarbeiter
api-absences = Abwesenheiten
api-attendances = Anwesenheiten
api-documents = Dokumente
access-read = Lesen
access-write = Schreiben
access-read-only = nur lesen

## Benutzerdefinierte Berichte
reports-title = Benutzerdefinierte Berichte
reports-lead = Berichte über die HR-Daten Ihres Unternehmens; Integrationen lesen sie über die API für benutzerdefinierte Berichte.
reports-empty = Noch kein Bericht.
report-kind-point_in_time = Zeitpunkt
report-kind-historical_data = Historische Daten
report-kind-timeframe = Zeitraum
report-period = Vom { $name } bis { $value }
report-rows = { $count ->
    [one] Ein Mitarbeiter
   *[other] { $count } Mitarbeiter
}
report-api-note = Über die API für benutzerdefinierte Berichte: GET /v1/company/custom-reports/reports/{ $id }

## Benutzer und Rechte
users-title = Benutzer und Rechte
users-lead = Wer Integrationen und API-Zugangsdaten einrichten darf („Marketplace-Integrationen & API“).
user-you = Sie
user-right-of = Recht von { $email }
user-new-link = Neuer Anmeldelink
user-remove = Entfernen…
user-remove-title = { $email } entfernen?
user-remove-lead = Die Person kann sich nicht mehr anmelden und die Admin-API nicht mehr aufrufen; ihre Tokens funktionieren sofort nicht mehr.
user-remove-confirm = { $email } entfernen
invite-someone = Jemanden einladen
invite-button-make = Einladungslink erstellen
invite-made = Ein Link für { $email }
invite-made-lead = Senden Sie der Person diesen Link: Damit legt sie innerhalb von sieben Tagen einmalig ein Passwort fest.
invite-link = Einladungslink

## Anfragen
requests-title = Anfragen
requests-lead = Integrationen, die Ihr Unternehmen angefragt hat, und angefragte Demos.
requests-integrations = Angefragte Integrationen
requests-demos = Demo-Anfragen
requests-none = Noch keine Integration angefragt.
demos-none = Noch keine Demo angefragt.
request-lead = Sagen Sie uns, welches Tool fehlt und wofür. Anfragen für dasselbe Tool werden zusammengezählt.
request-name = Name des Tools
request-website = Website
request-use-case = Wofür
request-use-case-hint = Welche Daten es braucht und wer es nutzt.
request-send = Anfrage senden

## Hinweise nach einer Aktion
notice-password-set = Ihr Passwort ist festgelegt. Willkommen.
notice-demo-requested = Demo angefragt: Das Team hinter der Integration meldet sich.
notice-integration-requested = Danke: Ihre Anfrage ist erfasst.
notice-connected = Verbunden.
notice-pending = Eingerichtet; wartet auf die Aktivierung durch den Partner.
notice-deactivated = Die Verbindung ist deaktiviert.
notice-reactivated = Die Verbindung ist wieder aktiv.
notice-disconnected = Die Integration ist getrennt.
notice-sync-started = Ein Synchronisationslauf hat begonnen; er erscheint unten.
notice-credential-created = Die Zugangsdaten sind erstellt.
notice-credential-updated = Die Zugangsdaten sind gespeichert.
notice-credential-rotated = Das Geheimnis ist erneuert.
notice-credential-revoked = Die Zugangsdaten sind widerrufen.
notice-user-invited = Der Einladungslink ist bereit.
notice-right-changed = Das Recht ist geändert; es gilt ab der nächsten Anfrage der Person.
notice-user-removed = Der Benutzer ist entfernt.
notice-step-saved = Gespeichert.
notice-signed-out = Sie sind abgemeldet.
notice-token-revoked = Das Token ist widerrufen.
notice-report-ready = Der Bericht ist bereit.

# Recruiting
nav-recruiting = Recruiting
recruiting-title = Recruiting
recruiting-lead = Stellen auf der Karriereseite und im XML-Feed, und die Bewerbungen, die über die Recruiting-API eingehen.
recruiting-company-number = Firmen-ID (X-Company-ID)
recruiting-key = Recruiting-API-Schlüssel
recruiting-key-issued = Ausgestellt { $when }. Nur sein Hash wird gespeichert; einen neuen stellt aus:
recruiting-key-none = Noch keiner; einen stellt aus:
recruiting-feed = XML-Stellenfeed
recruiting-switches = Schalter
recruiting-switch-recruiting = Recruiting
recruiting-switch-api = API
recruiting-switch-feed = Feed
recruiting-on = an
recruiting-off = aus
recruiting-jobs = Stellen
recruiting-jobs-empty = Noch keine Stellen.
recruiting-published = Veröffentlicht
recruiting-draft = Entwurf
applications-title = Bewerbungen
applications-lead = Die neuesten Änderungen zuerst.
applications-empty = Noch keine Bewerbungen.
application-message = Nachricht
application-phases = Phasen
application-files = Dateien
application-no-files = Keine Dateien.
back-to-recruiting = Zurück zum Recruiting
back-to-applications = Zurück zu den Bewerbungen
pager-first = Erste Seite
col-office = Standort
col-department = Abteilung
col-job = Stelle
col-phase = Phase
col-channel = Kanal
col-candidate = Bewerber:in
col-phone = Telefon
col-location = Wohnort
col-available-from = Verfügbar ab
col-salary-expectations = Gehaltsvorstellung
col-tags = Tags

# Einstellungen › Webhooks
nav-webhooks = Webhooks
webhooks-title = Webhooks
webhooks-lead = Ihre Systeme erfahren, was mit Ihren Integrationen geschieht: gescheiterte und wieder laufende Synchronisierungen, abgeschaltete Verbindungen, zurückgehaltene Deprovisionierungen, Zugangsdaten. Jede Zustellung ist signiert (Standard Webhooks) und wird etwa einen Tag lang wiederholt.
webhook-add = Endpunkt hinzufügen
webhooks-empty-title = Noch kein Endpunkt
webhooks-empty-text = Fügen Sie die Adresse eines Systems hinzu, das von gescheiterten Synchronisierungen und Ähnlichem erfahren soll.
webhook-url = Endpunkt-URL
webhook-url-hint = https://… Private oder lokale Adressen werden abgelehnt, außer der Betreiber erlaubt sie.
webhook-description = Beschreibung
webhook-events = Ereignisse
webhook-status = Status
webhook-enabled = Aktiv
webhook-disabled = Deaktiviert
webhook-disabled-by-relais = Von Relais deaktiviert: { $what }
webhook-failing-since = Aktiv, scheitert seit { $when }
webhook-new-title = Webhook-Endpunkt hinzufügen
webhook-created-title = Endpunkt hinzugefügt
webhook-rotated-title = Neues Signaturgeheimnis
webhook-secret = Signaturgeheimnis
webhook-secret-text = Zustellungen an { $name } sind mit diesem Geheimnis signiert: Prüfen Sie damit die webhook-signature jeder Zustellung.
webhook-enable = Aktivieren
webhook-disable = Deaktivieren
webhook-rotate = Geheimnis erneuern
webhook-delete = Entfernen
webhook-rotate-title = Signaturgeheimnis erneuern
webhook-rotate-lead = Das neue Geheimnis wird einmal angezeigt. 24 Stunden lang tragen Zustellungen zwei Signaturen, mit dem neuen und dem alten Geheimnis, damit der Empfänger ohne Verlust wechseln kann.
webhook-rotate-confirm = Geheimnis erneuern
webhook-delete-title = Endpunkt entfernen
webhook-delete-lead = Der Endpunkt und sein Zustellprotokoll werden entfernt. Ereignisse werden nicht mehr an ihn gesendet.
webhook-delete-confirm = Endpunkt entfernen
webhook-deliveries = Zustellungen
webhook-deliveries-count = { $count ->
    [one] 1 Zustellung, neueste zuerst
   *[other] { $count } Zustellungen, neueste zuerst
}
webhook-no-deliveries = Noch nichts gesendet.
webhook-event = Ereignis
webhook-state = Stand
webhook-last-answer = Letzte Antwort
webhook-redeliver = Erneut senden
webhook-attempts = { $count ->
    [one] 1 Versuch
   *[other] { $count } Versuche
}
delivery-state-pending = Ausstehend
delivery-state-delivered = Zugestellt
delivery-state-failed = Aufgegeben
back-to-webhooks = Zurück zu den Webhooks
notice-webhook-updated = Der Endpunkt ist geändert.
notice-webhook-deleted = Der Endpunkt ist entfernt.
notice-webhook-redelivered = Die Zustellung ist eingereiht und wird in Sekunden gesendet.
schedule-is-paused = Pausiert („Jetzt synchronisieren“ läuft weiter)
col-failing-since = Jeder Lauf scheiterte seit
action-pause-schedule = Zeitplan pausieren
action-resume-schedule = Zeitplan fortsetzen
notice-schedule-paused = Der Zeitplan ist pausiert: Bis Sie ihn fortsetzen, läuft kein Zyklus.
notice-schedule-resumed = Der Zeitplan läuft wieder.
