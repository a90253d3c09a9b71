# Console Relais — français.

## Cadre
skip-to-content = Aller au contenu
nav-label = Navigation principale
nav-marketplace = Marketplace
nav-connections = Intégrations connectées
nav-reports = Rapports personnalisés
nav-requests = Demandes
nav-settings = Paramètres
nav-credentials = Identifiants API
nav-people = Utilisateurs et droits
sign-out = Se déconnecter
pref-language = Langue
pref-theme = Thème
pref-apply = Appliquer
theme-system = Comme le système
theme-light = Clair
theme-dark = Sombre
right-edit = Modification (Intégration Marketplace et API)
right-view = Consultation
right-none = Aucun accès
read-only-reason = Vous avez le droit de consultation : vous voyez tout ici, mais seuls les utilisateurs disposant du droit de modification pour « Intégration Marketplace et API » peuvent le changer.
no-right-title = Vous n’avez pas accès
no-right-text = Cette page demande le droit « { $right } » pour Intégration Marketplace et API.
no-right-ask = Demandez-le à un utilisateur de votre entreprise qui dispose du droit de modification.

## Mots courants
cancel = Annuler
save = Enregistrer
done = Terminé
yes = Oui
no = Non
never = Jamais
optional = facultatif
choose = Choisir…
copy = Copier
copied = Copié
refresh = Actualiser
filters = Filtres
filters-apply = Appliquer les filtres
filters-clear = Effacer les filtres
filter-any = Tous
filter-from = Du
filter-to = Au
filter-bad-status = « { $value } » n’est pas un statut.
filter-bad-date = « { $value } » n’est pas une date (AAAA-MM-JJ).
filter-bad-use-case = « { $value } » n’est pas un cas d’utilisation.
filter-bad-employee = « { $value } » n’est pas un ID d’employé.
pager-label = Pages
pager-previous = Page précédente
pager-next = Page suivante
form-problem = Il y a un problème
back-to = Retour à { $name }
back-to-marketplace = Retour à la Marketplace
back-to-connections = Retour aux intégrations connectées
back-to-credentials = Retour aux identifiants API
back-to-reports = Retour aux rapports
back-to-requests = Retour aux demandes
back-to-runs = Retour à toutes les synchronisations
back-to-run = Retour à la synchronisation du { $when }
secret-once = Copiez le secret maintenant : il n’est affiché qu’une fois. Seule son empreinte est conservée.
download-csv = Télécharger en CSV
download-jsonl = Télécharger en JSON Lines

## Colonnes
col-access = Accès
col-actions = Actions
col-api = API
col-api-id = ID pour l’API
col-attribute = Attribut
col-created = Créé
col-date = Date
col-effective-date = En vigueur depuis
col-email = E-mail
col-employee = Employé
col-employee-id = ID de l’employé
col-integration = Intégration
col-last = Dernière
col-last-run = Dernière synchronisation
col-last-used = Dernière utilisation
col-message = Message
col-name = Nom
col-new = Nouvelle valeur
col-next-run = Prochaine synchronisation
col-old = Ancienne valeur
col-reason = Motif
col-requests = Demandes
col-right = Droit
col-since = Depuis
col-status = Statut
col-trigger = Lancée par
col-type = Type
col-updated = Modifié
col-use-case = Cas d’utilisation
col-use-cases = À quoi elle sert
col-value = Valeur
col-what = Quoi
col-when = Quand
col-who = Qui

## Connexion et invitations
sign-in-title = Se connecter
sign-in-lead = Connectez-vous aux paramètres Marketplace et API de votre entreprise.
sign-in-email = E-mail professionnel
sign-in-password = Mot de passe
sign-in-company = Entreprise
sign-in-company-hint = Votre e-mail ouvre plusieurs entreprises : saisissez le nom ou l’identifiant de l’entreprise.
sign-in-button = Se connecter
sign-in-refused = L’e-mail ou le mot de passe n’est pas correct.
sign-in-no-right = Votre compte n’a pas de droit sur les intégrations Marketplace et l’API. Un administrateur de votre entreprise peut vous le donner.
sign-in-choose-company = Votre e-mail ouvre plusieurs entreprises. Indiquez laquelle.
sign-in-throttled = Trop de tentatives. Attendez une minute, puis réessayez.
sign-in-expired-form = Le formulaire avait expiré. Réessayez.
sign-in-no-password = Pas encore de mot de passe ? Un administrateur de votre entreprise vous crée un lien pour en définir un.
invite-title = Définir votre mot de passe
invite-lead = Définissez le mot de passe de { $email } pour { $name }.
invite-password = Nouveau mot de passe
invite-password-hint = Au moins 12 caractères. Quelques mots inhabituels en font un bon.
invite-password-again = Le même mot de passe, à nouveau
invite-button = Définir le mot de passe et se connecter
invite-mismatch = Les deux mots de passe diffèrent.
invite-too-short = Un mot de passe compte au moins { $count } caractères.
invite-gone = Ce lien est inconnu, déjà utilisé ou expiré. Demandez-en un nouveau à un administrateur de votre entreprise.

## Erreurs
error-status = Statut
error-request-id = ID de la requête
error-back-home = Retour à la console
error-not-found = Introuvable
error-no-page = Il n’y a pas de page à cette adresse. Le lien est peut-être mal saisi ou périmé.
error-forbidden = Non autorisé
error-conflict = Ce n’est pas possible maintenant
error-bad-request = Un élément de la requête n’est pas correct
error-too-large = La requête est trop volumineuse
error-internal = Relais n’a pas pu répondre
error-internal-text = Une erreur s’est produite de notre côté. Si elle persiste, donnez à votre administrateur l’ID de requête ci-dessous.
error-not-configured = Relais ne peut pas le faire maintenant : le serveur n’est pas configuré pour cela. Adressez-vous à l’exploitant.
error-generic = Une erreur s’est produite
error-csrf = Ce formulaire appartient à une autre session ou a expiré. Revenez en arrière, rechargez la page et réessayez.

## Marketplace
marketplace-title = Marketplace
marketplace-lead = Toutes les intégrations utilisables avec votre plateforme RH, créées par la plateforme ou par des partenaires.
marketplace-search = Rechercher des intégrations
marketplace-search-placeholder = Slack, paie, identité…
marketplace-search-button = Rechercher
marketplace-results = Intégrations
marketplace-count = { $count ->
    [one] Une intégration
   *[other] { $count } intégrations
}
marketplace-empty-title = Aucune intégration ne correspond
marketplace-empty-text = Essayez d’autres mots ou moins de filtres. Vous ne trouvez pas ce qu’il vous faut ? Demandez-la, ou créez-la avec les API publiques.
marketplace-missing = Vous ne trouvez pas une intégration ?
request-integration = Demander une intégration
filter-built-by = Créée par
filter-badge = Niveau de partenariat
filter-capability = Propose
filter-category = Catégorie
kind-platform = La plateforme
kind-partner = Des partenaires
built-by-platform = Créée par la plateforme
built-by-partner = Créée par { $name }
badge-select = Select
badge-elite = Elite
badge-premier = Premier
capability-sync_tracking = Suivi des synchronisations
capability-demo = Démo
category-identity_access = Identité et accès
category-team_communication = Communication d’équipe
category-payroll = Paie
category-recruiting = Recrutement
category-learning = Formation
category-performance = Performance
category-time_tracking = Suivi du temps
category-bi_reporting = BI et reporting
category-expenses = Notes de frais
category-benefits = Avantages
category-accounting = Comptabilité
category-productivity = Productivité

## Page d’une intégration
action-connect = Connecter
action-continue-setup = Reprendre la configuration
action-manage = Gérer
action-reconnect = Reconnecter
action-request-demo = Demander une démo
see-connection = Voir la connexion
section-overview = Présentation
section-setup = Configuration
section-permissions = Autorisations
section-pricing = Tarifs
section-support = Support
section-developer = Développeur
sidebar-label = Support et développeur
permissions-lead = Une fois connectée, elle lit ou écrit par les API publiques :
permissions-none = Elle n’a besoin d’aucun accès à vos données RH par les API publiques.
support-platform = Créée par la plateforme : obtenez de l’aide via « Aide et feedback ».
support-partner = Créée par un partenaire, qui en assure le support ; la plateforme ne prend pas en charge les solutions développées par ses partenaires.
support-website = Site du support
support-email = E-mail du support
developer-name = Développeur
developer-website = Site web
developer-privacy = Confidentialité
developer-privacy-link = Politique de confidentialité
sync-tracking-available = Ses synchronisations figurent dans l’onglet « Suivi » de la connexion.
sync-run-by-relais = Relais exécute ses synchronisations (avec son propre connecteur SCIM).
sync-run-by-partner = Le partenaire exécute ses synchronisations et les signale à Relais.
sync-not-built = Relais n’a pas encore de connecteur pour elle et personne ne signale ses synchronisations : l’onglet Suivi reste vide.
integration-page = La page de l’intégration
demo-title = Demander une démo de { $name }
demo-lead = L’équipe de l’intégration vous contacte pour vous la montrer avant que vous la connectiez.
demo-message = Message
demo-message-hint = Ce que vous aimeriez voir, et vos disponibilités (facultatif).

## Connexion d’une intégration
connect-title = Connecter { $name }
connect-access = À quoi elle accédera
connect-access-lead = La connecter lui donne cet accès à vos données RH :
connect-steps = Étapes
connect-partner-note = Après ces étapes, le partenaire active la connexion de son côté ; d’ici là, elle est en attente.
connect-start = Commencer
wizard-steps = Étapes de la configuration
wizard-step-done = terminée
wizard-step-title = { $name } : { $step }
wizard-review = Récapitulatif
wizard-review-title = Vérifier et connecter { $name }
wizard-review-lead = Vérifiez les réponses, puis connectez. Les secrets apparaissent comme définis, jamais leur valeur.
wizard-change = Modifier
wizard-not-given = Non renseigné
wizard-secret-set = Défini (masqué)
wizard-secret-kept = Enregistré scellé. Saisissez-le à nouveau pour modifier cette étape.
wizard-back = Retour
wizard-next = Enregistrer et continuer
wizard-connect = Connecter { $name }
done-title = { $name }
done-status = Statut :
done-connected = L’intégration est connectée et peut échanger des données.
done-pending = Le partenaire active maintenant la connexion de son côté ; d’ici là, elle est en attente et n’échange aucune donnée.
done-partner-credential = L’identifiant pour le partenaire
done-see-connection = Voir la connexion

## Intégrations connectées
connections-title = Intégrations connectées
connections-lead = Toutes les intégrations de votre entreprise, avec leur statut.
connections-counts = Connexions par statut
connections-all = { $count ->
    [one] Toutes : 1
   *[other] Toutes : { $count }
}
connections-empty-title = Rien n’est encore connecté
connections-empty-text = Trouvez une intégration dans la Marketplace et connectez-la.
connections-none-filtered = Aucune connexion n’a ce statut.
status-pending = En attente
status-connected = Connectée
status-inactive = Inactive
status-disconnected = Déconnectée
reason-wizard = L’assistant de configuration n’est pas terminé.
reason-partner = En attente de l’activation par le partenaire.
reason-deactivated = Désactivée par un administrateur : { $what }
reason-credential-revoked = Son identifiant API a été révoqué.
reason-auth-failures = Arrêtée après des échecs d’authentification répétés.
reason-failing-too-long = Arrêtée : chaque synchronisation a échoué pendant { $days } jours.
never-run = Jamais exécutée
next-run-due = Maintenant
tab-overview = Présentation
tab-tracking = Suivi
connection-facts = Détails
connection-created = Commencée
connection-id = ID de la connexion
connection-credential = Identifiant API
connection-syncs = Synchronisations
connection-events = Historique
connection-actions = Actions
action-sync-now = Synchroniser maintenant
action-provision = Provisionner maintenant
provision-employee = Provisionner une personne maintenant (identifiant)
provision-hint = Exécute le cycle maintenant pour cette seule personne, comme une exécution à part, et affiche les étapes. Personne d’autre n’est touché.
sync-full = Rapprochement complet (relire chaque compte)
deactivate-reason = Pourquoi la désactiver ?
action-deactivate = Désactiver
action-reactivate = Réactiver
action-disconnect = Déconnecter…
disconnect-title = Déconnecter { $name } ?
disconnect-lead = Déconnecter supprime la connexion :
disconnect-credentials = chaque identifiant API créé pour elle cesse aussitôt de fonctionner ;
disconnect-history = son historique et ses synchronisations sont conservés ;
disconnect-again = vous pourrez connecter l’intégration à nouveau plus tard.
disconnect-confirm = Déconnecter { $name }
event-connection-start = Configuration commencée
event-connection-wizard-step = Étape renseignée
event-connection-complete-wizard = Configuration terminée
event-connection-partner-activated = Activée par le partenaire
event-connection-deactivate = Désactivée
event-connection-reactivate = Réactivée
event-connection-disconnect = Déconnectée
event-connection-auth-failures-exceeded = Arrêtée après des échecs d’authentification
event-connection-credential-revoked = Identifiant révoqué
event-connection-failing-too-long = Arrêtée : toutes les synchronisations ont échoué trop longtemps
event-connection-disable-warning = Avertie : arrêtée dans un jour si les synchronisations échouent encore
event-connection-pause = Planification suspendue
event-connection-resume = Planification reprise

## Suivi
tracking-title = Suivi : { $name }
tracking-runs = Synchronisations
tracking-count = { $count ->
    [one] Une synchronisation
   *[other] { $count } synchronisations
}
tracking-none = Aucune synchronisation pour l’instant. Elles apparaissent ici au fil de l’eau.
tracking-none-filtered = Aucune synchronisation ne correspond à ces filtres.
run-running = En cours
run-completed = Terminé avec succès
run-partially_completed = Réalisation partielle
run-failed = Échec
trigger-scheduled = Planification
trigger-manual = Synchroniser maintenant
trigger-partner_reported = Le partenaire
trigger-on_demand = À la demande (une personne)
cycle-full = Complète
cycle-incremental = Changements seulement
use-case-update = Mise à jour
use-case-provision = Provisionnement
use-case-deprovision = Déprovisionnement
use-case-link = Lien
entry-success = Réussi
entry-failed = Échec
entry-skipped = Ignoré
failed-count = { $count } en échec
run-title = Synchronisation du { $when }
run-summary = Résumé
run-started = Commencée
run-finished = Terminée
run-cycle = Type
run-operations = Opérations
run-staged = { $count ->
    [one] Un déprovisionnement a été retenu par le seuil de sécurité.
   *[other] { $count } déprovisionnements ont été retenus par le seuil de sécurité.
}
run-error = La synchronisation a échoué :
run-response = L’API distante a répondu { $status }
run-entries = Employés concernés
entries-count = { $count ->
    [one] Une entrée
   *[other] { $count } entrées
}
entries-none = Aucune entrée ne correspond.
duration-seconds = { $count ->
    [one] 1 seconde
   *[other] { $count } secondes
}
duration-minutes = { $count ->
    [one] 1 minute
   *[other] { $count } minutes
}
entry-title = Entrée de l’employé { $id }
group-department = Service { $name }
group-team = Équipe { $name }
entry-group-title = Entrée du groupe { $name }
entry-summary = Résumé
entry-changes = Attributs modifiés
entry-no-changes = Aucun attribut modifié.
entry-response = Réponse de l’API distante
entry-no-response = Aucune réponse enregistrée.
employee-history-title = Employé { $id } dans toutes les synchronisations

## Identifiants API
credentials-title = Identifiants API
credentials-lead = Les identifiants permettent à d’autres outils de lire vos données RH par les API publiques (et d’écrire, si autorisé).
credentials-empty-title = Aucun identifiant API pour l’instant
credentials-empty-text = Générez-en un pour un outil qui a besoin de vos données RH.
credential-generate = Générer un nouvel identifiant
credential-new-title = Nouvel identifiant API
credential-name = Nom
credential-name-hint = Un nom évocateur, par exemple « Identifiant Rapports personnalisés ».
credential-integration = Intégration
credential-other = Autre
credential-access = Accès par API
credential-reports-note = Avec la lecture des Rapports personnalisés, tous les rapports de l’entreprise peuvent être récupérés, quels que soient les attributs lisibles ci-dessous.
credential-attributes = Attributs de l’employé lisibles
credential-attributes-lead = Ce que les API Données personnelles renvoient sur les employés. Les rapports personnalisés n’appliquent pas cette liste.
credential-attributes-count = { $count ->
    [one] 1 attribut lisible
   *[other] { $count } attributs lisibles
}
credential-no-scope = Aucun accès pour l’instant
credential-revoked = Révoqué
credential-is-revoked = Cet identifiant est révoqué : il ne fonctionne plus.
credential-more = Plus
credential-rotate = Renouveler le secret…
credential-revoke = Révoquer…
credential-created-title = Identifiant généré
credential-rotated-title = Nouveau secret
credential-created-text = « { $name } » est prêt.
credential-client-id = ID client
credential-client-secret = Secret client
credential-rotate-title = Renouveler le secret de { $name } ?
credential-rotate-lead = Un nouveau secret remplace l’ancien aussitôt : les outils qui utilisent l’ancien secret, et tous les jetons obtenus avec, cessent de fonctionner.
credential-rotate-confirm = Renouveler le secret de { $name }
credential-revoke-title = Révoquer { $name } ?
credential-revoke-lead = L’identifiant cesse aussitôt et définitivement de fonctionner. Une connexion qui l’utilise devient inactive.
credential-revoke-confirm = Révoquer { $name }
api-recruiting = Recrutement
api-custom_reports = Rapports personnalisés
api-employees = Employés
api-absences = Absences
api-attendances = Présences
api-documents = Documents
access-read = Lire
access-write = Écrire
access-read-only = lecture seule

## Rapports personnalisés
reports-title = Rapports personnalisés
reports-lead = Les rapports sur les données RH de votre entreprise ; les intégrations les lisent par l’API Rapports personnalisés.
reports-empty = Aucun rapport pour l’instant.
report-kind-point_in_time = À une date
report-kind-historical_data = Données historiques
report-kind-timeframe = Période
report-period = Du { $name } au { $value }
report-rows = { $count ->
    [one] Un employé
   *[other] { $count } employés
}
report-api-note = Par l’API Rapports personnalisés : GET /v1/company/custom-reports/reports/{ $id }

## Utilisateurs et droits
users-title = Utilisateurs et droits
users-lead = Qui peut configurer les intégrations et les identifiants API (« Intégration Marketplace et API »).
user-you = vous
user-right-of = Droit de { $email }
user-new-link = Nouveau lien de connexion
user-remove = Retirer…
user-remove-title = Retirer { $email } ?
user-remove-lead = La personne ne peut plus se connecter ni appeler l’API d’administration ; ses jetons cessent aussitôt de fonctionner.
user-remove-confirm = Retirer { $email }
invite-someone = Inviter quelqu’un
invite-button-make = Créer un lien d’invitation
invite-made = Un lien pour { $email }
invite-made-lead = Envoyez-lui ce lien : il lui permet de définir un mot de passe une fois, dans les sept jours.
invite-link = Lien d’invitation

## Demandes
requests-title = Demandes
requests-lead = Les intégrations demandées par votre entreprise, et les démos demandées.
requests-integrations = Intégrations demandées
requests-demos = Demandes de démo
requests-none = Aucune intégration demandée pour l’instant.
demos-none = Aucune démo demandée pour l’instant.
request-lead = Dites-nous quel outil vous manque et à quoi il servirait. Les demandes pour le même outil sont comptées ensemble.
request-name = Nom de l’outil
request-website = Site web
request-use-case = À quoi il servirait
request-use-case-hint = Les données dont il a besoin, et qui l’utilise.
request-send = Envoyer la demande

## Messages après une action
notice-password-set = Votre mot de passe est défini. Bienvenue.
notice-demo-requested = Démo demandée : l’équipe de l’intégration vous contacte.
notice-integration-requested = Merci : votre demande est enregistrée.
notice-connected = Connectée.
notice-pending = Configurée ; en attente de l’activation par le partenaire.
notice-deactivated = La connexion est désactivée.
notice-reactivated = La connexion est de nouveau active.
notice-disconnected = L’intégration est déconnectée.
notice-sync-started = Une synchronisation a commencé ; elle apparaît ci-dessous.
notice-credential-created = L’identifiant est généré.
notice-credential-updated = L’identifiant est enregistré.
notice-credential-rotated = Le secret est renouvelé.
notice-credential-revoked = L’identifiant est révoqué.
notice-user-invited = Le lien d’invitation est prêt.
notice-right-changed = Le droit est modifié ; il s’applique dès la prochaine requête de la personne.
notice-user-removed = L’utilisateur est retiré.
notice-step-saved = Enregistré.
notice-signed-out = Vous êtes déconnecté.
notice-token-revoked = Le jeton est révoqué.
notice-report-ready = Le rapport est prêt.

# Recruiting
nav-recruiting = Recrutement
recruiting-title = Recrutement
recruiting-lead = Les postes de la page carrière et du flux XML, et les candidatures reçues par l'API de recrutement.
recruiting-company-number = ID de l'entreprise (X-Company-ID)
recruiting-key = Clé de l'API de recrutement
recruiting-key-issued = Émise { $when }. Seule son empreinte est gardée ; une nouvelle est émise par :
recruiting-key-none = Aucune pour l'instant ; une clé est émise par :
recruiting-feed = Flux XML des postes
recruiting-switches = Interrupteurs
recruiting-switch-recruiting = Recrutement
recruiting-switch-api = API
recruiting-switch-feed = Flux
recruiting-on = activé
recruiting-off = désactivé
recruiting-jobs = Postes
recruiting-jobs-empty = Aucun poste pour l'instant.
recruiting-published = Publié
recruiting-draft = Brouillon
applications-title = Candidatures
applications-lead = Les dernières modifications d'abord.
applications-empty = Aucune candidature pour l'instant.
application-message = Message
application-phases = Étapes
application-files = Fichiers
application-no-files = Aucun fichier.
back-to-recruiting = Retour au recrutement
back-to-applications = Retour aux candidatures
pager-first = Première page
col-office = Site
col-department = Service
col-job = Poste
col-phase = Étape
col-channel = Canal
col-candidate = Candidat·e
col-phone = Téléphone
col-location = Lieu
col-available-from = Disponible à partir de
col-salary-expectations = Prétentions salariales
col-tags = Étiquettes

# Paramètres › Webhooks
nav-webhooks = Webhooks
webhooks-title = Webhooks
webhooks-lead = Vos systèmes apprennent ce qui arrive à vos intégrations : synchronisations échouées et rétablies, connexions arrêtées, déprovisionnements retenus, identifiants. Chaque envoi est signé (Standard Webhooks) et réessayé pendant environ un jour.
webhook-add = Ajouter un point de terminaison
webhooks-empty-title = Aucun point de terminaison
webhooks-empty-text = Ajoutez l’adresse d’un système qui doit apprendre les synchronisations échouées et le reste.
webhook-url = URL du point de terminaison
webhook-url-hint = https://… Une adresse privée ou locale est refusée, sauf si l’opérateur l’autorise.
webhook-description = Description
webhook-events = Événements
webhook-status = État
webhook-enabled = Actif
webhook-disabled = Désactivé
webhook-disabled-by-relais = Désactivé par Relais : { $what }
webhook-failing-since = Actif, en échec depuis { $when }
webhook-new-title = Ajouter un point de terminaison
webhook-created-title = Point de terminaison ajouté
webhook-rotated-title = Nouveau secret de signature
webhook-secret = Secret de signature
webhook-secret-text = Les envois vers { $name } sont signés avec ce secret : vérifiez avec lui la webhook-signature de chaque envoi.
webhook-enable = Activer
webhook-disable = Désactiver
webhook-rotate = Renouveler le secret
webhook-delete = Supprimer
webhook-rotate-title = Renouveler le secret de signature
webhook-rotate-lead = Le nouveau secret est affiché une fois. Pendant 24 heures, les envois portent deux signatures, par le nouveau et par l’ancien secret, pour que le destinataire change sans rien perdre.
webhook-rotate-confirm = Renouveler le secret
webhook-delete-title = Supprimer le point de terminaison
webhook-delete-lead = Le point de terminaison et son journal d’envois sont supprimés. Les événements ne lui sont plus envoyés.
webhook-delete-confirm = Supprimer le point de terminaison
webhook-deliveries = Envois
webhook-deliveries-count = { $count ->
    [one] 1 envoi, le plus récent d’abord
   *[other] { $count } envois, les plus récents d’abord
}
webhook-no-deliveries = Rien n’a encore été envoyé.
webhook-event = Événement
webhook-state = État
webhook-last-answer = Dernière réponse
webhook-redeliver = Renvoyer
webhook-attempts = { $count ->
    [one] 1 tentative
   *[other] { $count } tentatives
}
delivery-state-pending = En attente
delivery-state-delivered = Livré
delivery-state-failed = Abandonné
back-to-webhooks = Retour aux webhooks
notice-webhook-updated = Le point de terminaison est modifié.
notice-webhook-deleted = Le point de terminaison est supprimé.
notice-webhook-redelivered = L’envoi est en file et part dans quelques secondes.
schedule-is-paused = Suspendue (« Synchroniser maintenant » fonctionne toujours)
col-failing-since = Chaque exécution échoue depuis
action-pause-schedule = Suspendre la planification
action-resume-schedule = Reprendre la planification
notice-schedule-paused = La planification est suspendue : aucun cycle ne tourne avant sa reprise.
notice-schedule-resumed = La planification a repris.
