export default function Home() {
  return <main>Showtrack</main>;
}
