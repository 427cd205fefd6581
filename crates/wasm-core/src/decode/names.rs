//! The `name` custom section (spec 7.4.1). A malformed name section is ignored, as the
//! spec asks of custom sections: names only serve diagnostics.

use crate::prelude::*;

use crate::module::Names;
use wasmparser::{BinaryReader, Name, NameSectionReader};

pub(super) fn decode_names(data: &[u8], offset: u64) -> Names {
    let mut names = Names::default();
    let _ = read_names(&mut names, data, offset);
    names
}

fn read_names(names: &mut Names, data: &[u8], offset: u64) -> wasmparser::Result<()> {
    for subsection in NameSectionReader::new(BinaryReader::new(data, offset)) {
        match subsection? {
            Name::Module { name, .. } => names.module = Some(name.to_string()),
            Name::Function(map) => {
                for naming in map {
                    let naming = naming?;
                    names
                        .functions
                        .insert(naming.index, naming.name.to_string());
                }
            }
            _ => {}
        }
    }
    Ok(())
}
