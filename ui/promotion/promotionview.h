#pragma once

#include "release/approval.h"
#include "release/factscollector.h"

#include <QWidget>

#include <memory>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTreeView;

namespace Raize::Services {
class FlagService;
class GitHubClient;
class VercelClient;
} // namespace Raize::Services

namespace Raize::Ui {

class GateTableModel;

// Staging → production promotion review (issue #7, parts 2–4): the release
// candidate against what production serves, every gate with its reason and
// evidence, overrides the policy allows (typed reason, audited), approvals
// bound to what was reviewed (they lapse when it changes, and the screen
// says why), stuck states, and the promotion itself (GitHub environment
// approval and/or Vercel promote, as the policy says). Everything it does is
// written to the audit log.
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
    };

    explicit PromotionView(Release::GatePolicy policy, QWidget *parent = nullptr);
    ~PromotionView() override;

    void setSources(const Sources &sources);
    void setChangelogPath(const QString &path);
    // Shown above the review when the profile's policy bundle could not be applied.
    void setPolicyNote(const QString &note);
    // Empty: the newest staging deployment.
    void setCandidate(const QString &deploymentId);

    // Collects the facts, evaluates the gates and reads the approvals and overrides back from the audit log.
    void refresh();
    bool busy() const { return m_busy; }
    int reviews() const { return m_reviews; } // completed reviews

    const Release::CollectedFacts &facts() const { return m_facts; }
    const Release::GateVerdict &verdict() const { return m_verdict; }
    const Release::PromotionDecision &decision() const { return m_decision; }
    GateTableModel *gateModel() const { return m_gateModel; }

    // The actions behind the buttons (tests call them through the buttons).
    void approve();
    void applyOverride();
    void promote();

Q_SIGNALS:
    void reviewed();
    void promoted(bool ok, const QString &message);

private:
    void collect(const QString &deploymentId);
    void updateView();
    void readRecords();
    Status audit(const QString &action, const QString &target, const QString &service, const nlohmann::json &after,
                 const QString &reason = {});
    void setMessage(const QString &text, bool error);

    Release::GatePolicy m_policy;
    Sources m_sources;
    QString m_changelog;
    std::unique_ptr<Release::FactsCollector> m_collector;
    Release::CollectedFacts m_facts;
    Release::GateVerdict m_verdict;
    Release::PromotionDecision m_decision;
    QList<Release::Approval> m_approvals;
    QList<Release::OverrideRequest> m_overrides;
    bool m_busy = false;
    bool m_readOnly = false; // the profile's policy bundle is refused
    bool m_reviewedOnce = false;
    int m_reviews = 0;

    QLineEdit *m_candidate = nullptr;
    QPushButton *m_refresh = nullptr;
    QLabel *m_summary = nullptr;
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
    QLabel *m_policyNote = nullptr;
};

} // namespace Raize::Ui
