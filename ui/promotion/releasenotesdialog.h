#pragma once

#include "records/evidencenotes.h"

#include <QDialog>

class QPlainTextEdit;
class QTabWidget;

namespace Raize::Ui {

// The release notes of a promoted release (issue #19 item 5), drafted from its evidence in two
// versions from the same sources: the operator's (every §9.2 section) and the client's (the
// policy's client sections, no flag names; §11.2). Read-only: copy them where they go.
class ReleaseNotesDialog : public QDialog
{
    Q_OBJECT

public:
    ReleaseNotesDialog(const Records::ReleaseEvidence &evidence, const Records::RecordsPolicy &policy, QWidget *parent = nullptr);

    QString operatorText() const;
    QString clientText() const;
    QTabWidget *tabs() const { return m_tabs; }

private:
    QTabWidget *m_tabs = nullptr;
    QPlainTextEdit *m_operator = nullptr;
    QPlainTextEdit *m_client = nullptr;
};

} // namespace Raize::Ui
