#pragma once

#include "release/promotion.h"
#include "release/stagingpromotion.h"

#include <QDateTime>
#include <QWidget>

#include <functional>
#include <memory>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTreeView;

namespace Raize {
class WriteGuard;
}
namespace Raize::Records {
class AuditLog;
}
namespace Raize::Release {
class ClientPromotionServices;
class ServingProbe;
}
namespace Raize::Slo {
class SloFeed;
}
namespace Raize::Services {
class FlagService;
class GitHubClient;
class VercelClient;
} // namespace Raize::Services

namespace Raize::Ui {

class GateTableModel;
class StaleLabel;

// Staging → production promotion review (issue #7, parts 2–4): shows a
// Release::Promotion session (the candidate against what production serves,
// every gate with its reason and evidence, approvals and why they lapsed,
// overrides, stuck states) and forwards the operator's input to it. The
// rules and the audit records are the session's (issue #14, item 2).
class PromotionView : public QWidget
{
    Q_OBJECT

public:
    struct Sources
    {
        Services::VercelClient *vercel = nullptr;
        Services::GitHubClient *github = nullptr;
        Services::FlagService *flags = nullptr;
        QString githubHtml;
        QString auditLogPath;
        Slo::SloFeed *sloHistory = nullptr; // the 30-day SLO data, for the error-budget gate; null: unknown for L3
        // Effective, not just accepted (ADR 0027): the production probe (null: none set) and the policy's rules.
        Release::ServingProbe *servingProbe = nullptr;
        Release::EffectiveRules effective;
        WriteGuard *guard = nullptr;        // the profile's arming (ADR 0028); null: not gated
    };

    // A view with its own session; setSources() gives it the profile's clients.
    explicit PromotionView(Release::GatePolicy policy, QWidget *parent = nullptr);
    // A view of a session owned elsewhere (the workspace's): setSources() is then not used.
    explicit PromotionView(Release::Promotion *session, QWidget *parent = nullptr);
    ~PromotionView() override;

    Release::Promotion *session() const { return m_session; }
    // Until the workspace hands its session in: wraps the clients in a ClientPromotionServices and the
    // path in an AuditLog, for the view's own session.
    void setSources(const Sources &sources);
    // The changelog's path in the repository, read at the candidate commit (empty: the policy's gates.changelogPath).
    void setChangelogPath(const QString &path);
    // Shown above the review when the profile's policy bundle could not be applied.
    void setPolicyNote(const QString &note);
    // Empty: the newest staging deployment.
    void setCandidate(const QString &deploymentId);
    // "Stale since HH:MM zone" when the environments it reviews (Vercel) could
    // not be read or are older than twice their poll interval; invalid: current.
    void setStaleSince(const QDateTime &since, const QString &reason = {});
    QLabel *staleLabel() const;

    // Collects the facts, evaluates the gates and reads the approvals and overrides back from the audit log.
    void refresh();
    bool busy() const { return m_session->busy(); }
    int reviews() const { return m_session->reviews(); } // completed reviews

    const Release::CollectedFacts &facts() const { return m_session->facts(); }
    const Release::GateVerdict &verdict() const { return m_session->verdict(); }
    const Release::PromotionDecision &decision() const { return m_session->decision(); }
    GateTableModel *gateModel() const { return m_gateModel; }

    // The one place that asks the operator to confirm "Promote to production" (the confirmation component
    // of issue #14, item 5 plugs in here). Returns true to go on. Tests may replace it.
    using PromoteConfirmation = std::function<bool(PromotionView *view, const QString &deploymentId, const QString &digest)>;
    void setPromoteConfirmation(PromoteConfirmation confirm) { m_confirmPromote = std::move(confirm); }

    // The actions behind the buttons (tests call them through the buttons).
    void approve();
    void applyOverride();
    void promote();
    // "Promote to staging…" (playbook §2.2, issue #17 item 5): the staging domain to the deployment named in the
    // candidate field, behind the policy's lighter gate set, after the confirmation table's stagingPromote.
    void promoteToStaging();
    Release::StagingPromotion *stagingSession() const { return m_staging; }
    // "Draft release notes" (issue #19 item 5): on once a promote recorded the release's evidence
    // (`deploymentId`); the button asks for the notes of that release.
    void setDraftableRelease(const QString &deploymentId);
    QString draftableRelease() const { return m_draftable; }

Q_SIGNALS:
    void reviewed();
    // Emitted before the view reviews again: listeners read the session as it was at the promote.
    void promoted(bool ok, const QString &message);
    void draftNotesRequested(const QString &deploymentId);

private:
    void build();
    void rebuildServices();
    void updateView();
    void showMessage();
    QString actor() const;
    bool confirmPromote(const QString &deploymentId, const QString &digest);

    Release::Promotion *m_session = nullptr;
    Release::StagingPromotion *m_staging = nullptr;
    QPushButton *m_stagingPromote = nullptr;
    Sources m_sources;
    QString m_changelog;
    std::unique_ptr<Release::ClientPromotionServices> m_services;
    std::unique_ptr<Records::AuditLog> m_auditLog;
    PromoteConfirmation m_confirmPromote;
    bool m_readOnly = false; // the profile's policy bundle is refused

    QLineEdit *m_candidate = nullptr;
    QPushButton *m_refresh = nullptr;
    QPushButton *m_draftNotes = nullptr;
    QString m_draftable;
    QLabel *m_summary = nullptr;
    StaleLabel *m_stale = nullptr;
    QLabel *m_pin = nullptr;
    QTreeView *m_gates = nullptr;
    GateTableModel *m_gateModel = nullptr;
    QLabel *m_verdictLabel = nullptr;
    QLabel *m_stuck = nullptr;
    QLabel *m_lapse = nullptr;
    QLabel *m_approvalsLabel = nullptr;
    QLineEdit *m_reviewer = nullptr;
    QPushButton *m_approve = nullptr;
    QComboBox *m_overrideGate = nullptr;
    QLineEdit *m_overrideReason = nullptr;
    QPushButton *m_override = nullptr;
    QPushButton *m_promote = nullptr;
    QLabel *m_message = nullptr;
    QLabel *m_effective = nullptr; // accepted at / effective at of the last promote (ADR 0027)
    QLabel *m_policyNote = nullptr;
};

} // namespace Raize::Ui
