#pragma once

#include <QFrame>

class QLabel;

namespace Raize::Ui {

// One environment in the header: its name and what is live there.
class EnvironmentCard : public QFrame
{
    Q_OBJECT

public:
    EnvironmentCard(const QString &environment, QWidget *parent = nullptr);

    QString environment() const { return m_environment; }
    // live: e.g. "dpl_abc · 3f2a91c · READY"; detail: a second, smaller line.
    void setLive(const QString &live, const QString &detail = {});
    void setUnavailable(const QString &why);
    void setStale(bool stale);
    QString liveText() const;

private:
    QString m_environment;
    QLabel *m_live = nullptr;
    QLabel *m_detail = nullptr;
};

} // namespace Raize::Ui
