# The warehouse dataset. Tables come from pipelines/ports/warehouse/schema.ts through
# scripts/infra/gen-tables.ts, which writes tables.gen.tf.json (local.warehouse_tables, committed;
# tests/infra fail when it and the schema module disagree). Never edit the tables here by hand.
resource "google_bigquery_dataset" "stockops" {
  dataset_id  = var.dataset
  location    = var.bigquery_location
  description = "StockOps warehouse: bars, features, forecasts, the outcome ledger, drift and run records."
  labels      = local.labels

  depends_on = [google_project_service.apis]
}

resource "google_bigquery_table" "warehouse" {
  for_each            = local.warehouse_tables
  dataset_id          = google_bigquery_dataset.stockops.dataset_id
  table_id            = each.key
  description         = each.value.description
  schema              = jsonencode(each.value.schema)
  clustering          = each.value.clustering
  deletion_protection = var.deletion_protection
  labels              = local.labels

  time_partitioning {
    type  = each.value.partition_type
    field = each.value.partition_field
  }
}

# Dashboard views: one per dashboards/views/<name>.sql. A view's SQL names its tables as
# `${dataset}.<table>`; a stored view runs with no default project, so ${dataset} is the quoted
# `project.dataset` path (the local dashboard fills in `main` on DuckDB).
locals {
  views_dir = "${path.module}/../dashboards/views"
  views     = { for f in fileset(local.views_dir, "*.sql") : trimsuffix(f, ".sql") => "${local.views_dir}/${f}" }
}

resource "google_bigquery_table" "view" {
  for_each            = local.views
  dataset_id          = google_bigquery_dataset.stockops.dataset_id
  table_id            = each.key
  description         = "Dashboard view from dashboards/views/${each.key}.sql."
  deletion_protection = false
  labels              = local.labels

  view {
    query          = templatefile(each.value, { dataset = "`${var.project}.${google_bigquery_dataset.stockops.dataset_id}`" })
    use_legacy_sql = false
  }

  depends_on = [google_bigquery_table.warehouse]
}
