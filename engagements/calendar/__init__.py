"""The working-day calendar (jours ouvrés, docs/indicators.md): Python arithmetic and due
dates (`workdays`), the stored calendars' table (`models.WorkingDay`), their building and
extension (`stored`), their SQL joins (`sql`) and the daily extension job (`jobs`)."""
