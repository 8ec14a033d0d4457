#pragma once

#include <QWidget>

class QLabel;

namespace Raize::Ui {

// What a pane shows until its feature is wired to live data: what the pane
// is for, why it shows nothing yet, and what would fill it. Never invented data.
class NotConnectedPane : public QWidget
{
    Q_OBJECT

public:
    NotConnectedPane(const QString &title, const QString &purpose, const QString &reason, QWidget *parent = nullptr);

    QString reason() const;
    void setReason(const QString &reason);

private:
    QLabel *m_reason = nullptr;
};

} // namespace Raize::Ui
