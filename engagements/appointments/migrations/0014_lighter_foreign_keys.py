import django.db.models.deletion
from django.db import migrations, models

# The booking's slot and procedure checked by one foreign key on the pair: the procedure
# must be the slot's, and the check at commit locks the slot row (which the booking has
# just updated) instead of also the procedure's row, shared by every booking of the
# procedure. Django cannot declare a foreign key on two columns: raw SQL, PostgreSQL only
# (SQLite cannot add a constraint to an existing table; Django's on_delete still applies).
COMPOSITE_FK = (
    "ALTER TABLE appointments_booking ADD CONSTRAINT appt_booking_slot_fk "
    "FOREIGN KEY (slot_id, procedure_id) REFERENCES appointments_slot (id, procedure_id) "
    "DEFERRABLE INITIALLY DEFERRED"
)


def add_composite_fk(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(COMPOSITE_FK)


def drop_composite_fk(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE appointments_booking DROP CONSTRAINT IF EXISTS appt_booking_slot_fk"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0013_holds_index_where_held"),
    ]

    operations = [
        migrations.AlterField(
            model_name="booking",
            name="procedure",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="bookings",
                to="appointments.procedure",
            ),
        ),
        migrations.AlterField(
            model_name="booking",
            name="slot",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="bookings",
                to="appointments.slot",
            ),
        ),
        migrations.AddConstraint(
            model_name="slot",
            constraint=models.UniqueConstraint(
                fields=("id", "procedure"), name="appt_slot_id_procedure"
            ),
        ),
        migrations.RunPython(add_composite_fk, drop_composite_fk),
    ]
