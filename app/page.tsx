import { Editor } from './components/Editor';

export default function Home() {
  return <Editor />;
}
