//! End-to-end tests of cnnc live in `tests/`: they compile models through the whole pipeline and
//! run the generated code on libtorch.
