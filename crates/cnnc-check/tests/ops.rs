//! Shape rules of the forward language's operators, against what torch 2.13 computes.

use cnnc_check::ops::{broadcast, cat, chunk, mean, permute, reshape, transpose};
use cnnc_check::shape::{Dim, Shape};

fn shape(dims: &[&str]) -> Shape {
    Shape(dims.iter().map(|d| d.parse().map_or_else(|_| Dim::named(d), Dim::Known)).collect())
}

#[test]
fn broadcasting_aligns_at_the_right() {
    // torch.zeros(8, 1, 6, 1) + torch.zeros(7, 1, 5) -> [8, 7, 6, 5]
    assert_eq!(
        broadcast(&shape(&["8", "1", "6", "1"]), &shape(&["7", "1", "5"]), &mut Vec::new())
            .unwrap(),
        shape(&["8", "7", "6", "5"])
    );
    // Squeeze-and-excitation: [N, C, H, W] * [N, C, 1, 1]
    assert_eq!(
        broadcast(&shape(&["N", "8", "6", "6"]), &shape(&["N", "8", "1", "1"]), &mut Vec::new())
            .unwrap(),
        shape(&["N", "8", "6", "6"])
    );
    // A scalar is rank 0.
    assert_eq!(
        broadcast(&shape(&["N", "3"]), &shape(&[]), &mut Vec::new()).unwrap(),
        shape(&["N", "3"])
    );
    assert!(broadcast(
        &shape(&["N", "16", "8", "8"]),
        &shape(&["N", "8", "16", "16"]),
        &mut Vec::new()
    )
    .is_err());
    assert!(broadcast(&shape(&["N", "3"]), &shape(&["M", "3"]), &mut Vec::new()).is_err());
}

#[test]
fn cat_adds_up_one_dimension() {
    let (out, d) =
        cat(&[shape(&["N", "3", "4"]), shape(&["N", "5", "4"])], 1, &mut Vec::new()).unwrap();
    assert_eq!((out, d), (shape(&["N", "8", "4"]), 1));
    let (out, _) = cat(&[shape(&["2", "3"]), shape(&["4", "3"])], -2, &mut Vec::new()).unwrap();
    assert_eq!(out, shape(&["6", "3"]));
    assert!(cat(&[shape(&["N", "3", "4"]), shape(&["N", "3", "5"])], 1, &mut Vec::new()).is_err());
    assert!(cat(&[shape(&["N", "3"]), shape(&["N", "3", "1"])], 0, &mut Vec::new()).is_err());
    assert!(cat(&[shape(&["N", "3"])], 2, &mut Vec::new()).is_err());
}

#[test]
fn reshape_with_a_wildcard_and_run_time_sizes() {
    assert_eq!(
        reshape(&shape(&["N", "128", "4", "4"]), &[-1, 2048]).unwrap(),
        shape(&["N", "2048"])
    );
    assert_eq!(reshape(&shape(&["N", "8"]), &[-1, 8, 1, 1]).unwrap(), shape(&["N", "8", "1", "1"]));
    assert_eq!(reshape(&shape(&["2", "6"]), &[3, -1]).unwrap(), shape(&["3", "4"]));
    assert_eq!(reshape(&shape(&["2", "6"]), &[4, 3]).unwrap(), shape(&["4", "3"]));
    assert!(reshape(&shape(&["2", "6"]), &[5, -1]).is_err());
    assert!(reshape(&shape(&["2", "6"]), &[-1, -1]).is_err());
    assert!(reshape(&shape(&["N", "6"]), &[2, 3]).is_err());
}

#[test]
fn permute_transpose_and_mean() {
    assert_eq!(permute(&shape(&["N", "3", "5"]), &[0, 2, 1]).unwrap(), shape(&["N", "5", "3"]));
    assert!(permute(&shape(&["N", "3", "5"]), &[0, 1, 1]).is_err());
    assert!(permute(&shape(&["N", "3", "5"]), &[0, 1]).is_err());
    assert_eq!(transpose(&shape(&["N", "3", "5"]), 1, -1).unwrap(), shape(&["N", "5", "3"]));
    assert_eq!(mean(&shape(&["N", "8", "6", "6"]), &[2, 3], false).unwrap(), shape(&["N", "8"]));
    assert_eq!(
        mean(&shape(&["N", "8", "6", "6"]), &[-1, -2], true).unwrap(),
        shape(&["N", "8", "1", "1"])
    );
    assert!(mean(&shape(&["N", "8"]), &[2], false).is_err());
}

#[test]
fn chunk_sizes_follow_torch() {
    let sizes = |c: &str, chunks: i64| -> Vec<String> {
        chunk(&shape(&["N", c, "4"]), chunks, 1)
            .unwrap()
            .iter()
            .map(|s| s.0[1].to_string())
            .collect()
    };
    // [t.shape[1] for t in torch.zeros(1, c, 4).chunk(k, 1)]
    assert_eq!(sizes("8", 2), ["4", "4"]);
    assert_eq!(sizes("5", 2), ["3", "2"]);
    assert_eq!(sizes("5", 4), ["2", "2", "1"]);
    assert_eq!(sizes("6", 4), ["2", "2", "2"]);
    assert_eq!(sizes("2", 5), ["1", "1"]);
    assert!(chunk(&shape(&["N", "8"]), 2, 0).is_err(), "the run-time size N cannot be split");
    assert!(chunk(&shape(&["N", "8"]), 0, 1).is_err());
    assert!(chunk(&shape(&["N", "8"]), 2, 2).is_err());
}
