/** The journal on Chronicle Queue: the only package that imports Chronicle. */
package dev.rktj.journal.chronicle;
