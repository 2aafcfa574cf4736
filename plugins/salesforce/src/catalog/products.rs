//! Products, price books and the assets customers own.

use super::Objects;
use super::fields::*;

/// Adds the product objects.
pub(crate) fn add(objects: &mut Objects) {
    product2(objects);
    pricebook2(objects);
    pricebook_entry(objects);
    asset(objects);
}

fn product2(objects: &mut Objects) {
    let columns = [
        vec![
            id("product"),
            text("Name", 255, "Name of the product.").not_null(),
            text("ProductCode", 255, "Internal code or number of the product."),
            textarea("Description", "Text description of the product."),
            checkbox("IsActive", "True if the product can be added to price books and opportunities."),
        ],
        audit(),
        vec![
            picklist("Family", "Product family, e.g. Hardware or Services."),
            is_deleted(),
            checkbox("IsArchived", "True if the product has been archived."),
        ],
        recently_viewed(),
        vec![
            text("ExternalId", 255, "ID of the product in an external system."),
            url("DisplayUrl", "URL of the product's page."),
            picklist("QuantityUnitOfMeasure", "Unit the product is sold in, e.g. Each."),
            text("StockKeepingUnit", 180, "Stock keeping unit (SKU)."),
        ],
    ]
    .concat();
    objects.object("Product2", "Products and services you sell.", columns);
}

fn pricebook2(objects: &mut Objects) {
    let columns = [
        vec![id("price book"), is_deleted(), text("Name", 255, "Name of the price book.").not_null()],
        audit(),
        recently_viewed(),
        vec![
            checkbox("IsActive", "True if the price book can be used."),
            checkbox("IsArchived", "True if the price book has been archived."),
            text("Description", 255, "Text description of the price book."),
            checkbox("IsStandard", "True if this is the standard price book."),
        ],
    ]
    .concat();
    objects.object("Pricebook2", "Price books: lists of products and their prices.", columns);
}

fn pricebook_entry(objects: &mut Objects) {
    let columns = [
        vec![
            id("price book entry"),
            text("Name", 255, "Name of the product."),
            reference("Pricebook2Id", "ID of the price book.").not_null(),
            reference("Product2Id", "ID of the product.").not_null(),
            currency("UnitPrice", "List price of the product in this price book.").not_null(),
            checkbox("IsActive", "True if the entry can be added to opportunities."),
            checkbox("UseStandardPrice", "True if the entry uses the standard price."),
        ],
        audit(),
        vec![
            text("ProductCode", 255, "Code of the product."),
            is_deleted(),
            checkbox("IsArchived", "True if the entry has been archived."),
        ],
    ]
    .concat();
    objects.object("PricebookEntry", "Products in price books, with their list prices.", columns);
}

fn asset(objects: &mut Objects) {
    let columns = [
        vec![
            id("asset"),
            reference("ContactId", "ID of the contact associated with the asset."),
            reference("AccountId", "ID of the account that owns the asset."),
            reference("ParentId", "ID of the parent asset."),
            reference("RootAssetId", "ID of the top-level asset of the hierarchy."),
            reference("Product2Id", "ID of the product the asset is an instance of."),
            text("ProductCode", 255, "Code of the product."),
            checkbox("IsCompetitorProduct", "True if the asset is a competitor's product."),
        ],
        audit(),
        vec![
            is_deleted(),
            text("Name", 255, "Name of the asset.").not_null(),
            text("SerialNumber", 80, "Serial number."),
            date("InstallDate", "When the asset was installed."),
            date("PurchaseDate", "When the asset was purchased."),
            date("UsageEndDate", "When the asset expires or its use ends."),
            picklist("Status", "Status, e.g. Installed or Obsolete."),
            currency("Price", "Price paid for the asset."),
            number("Quantity", 18, 2, "Number of units."),
            textarea("Description", "Text description of the asset."),
            owner(),
        ],
        recently_viewed(),
        vec![text("StockKeepingUnit", 180, "Stock keeping unit of the product.")],
    ]
    .concat();
    objects.object("Asset", "Products your customers own, with serial numbers and dates.", columns);
}
